"""heyan.compile / heyan.compile_sources and the Program's properties."""

from __future__ import annotations

import pickle

import pytest

import heyan
from conftest import SMALL_RULES, WORKLOAD_RULES, SOURCE_DIR

HEADER = '规则集 测试 版本 "1" 依据 "pytest"\n'


def test_compile_file_properties(small_program):
    assert small_program.name == "小型测试"
    assert small_program.version == "2024.1"
    assert len(small_program.fingerprint) == 64
    int(small_program.fingerprint, 16)
    assert small_program.warnings == []
    assert "小型测试" in repr(small_program)


def test_declarations(small_program):
    decls = small_program.declarations
    assert all(isinstance(d, heyan.Declaration) for d in decls)
    by_name = {d.name: d for d in decls}
    assert by_name["INCOME"].kind == "rule"
    assert by_name["INCOME"].title == "家庭人均收入不低于低保标准"
    assert by_name["INCOME"].citation == "社会救助暂行办法 pytest"
    assert by_name["INCOME"].file.endswith("small.heyan")
    assert by_name["INCOME"].line == 7
    assert by_name["月低保标准"].kind == "parameter"
    assert "450" in by_name["月低保标准"].value
    assert by_name["家庭月收入"].kind == "output"
    # A copy each time: callers cannot mutate the program's list.
    decls.clear()
    assert small_program.declarations


def test_compile_accepts_pathlike_str_list_and_directory(small_rules_file):
    a = heyan.compile(small_rules_file)
    b = heyan.compile(str(small_rules_file))
    c = heyan.compile([small_rules_file])
    d = heyan.compile(small_rules_file.parent)
    assert a.fingerprint == b.fingerprint == c.fingerprint == d.fingerprint


def test_compile_list_picks_the_entry_file(tmp_path):
    (tmp_path / "params.heyan").write_text(
        '规则集 省级参数 版本 "1" 依据 "p"\n参数 月低保标准: 金额 = 450元 依据 "p"\n', encoding="utf-8")
    (tmp_path / "main.heyan").write_text(
        HEADER + '导入 "params.heyan"\n规则 R "r" 依据 "p"\n  当 月低保标准 > 1元\n  则 标记\n',
        encoding="utf-8")
    files = [tmp_path / "params.heyan", tmp_path / "main.heyan"]
    assert heyan.compile(files).name == "测试"
    assert heyan.compile(tmp_path).name == "测试"
    assert heyan.compile(tmp_path / "main.heyan").fingerprint == heyan.compile(files).fingerprint


def test_compile_list_with_two_entries_is_an_error(tmp_path):
    (tmp_path / "a.heyan").write_text(HEADER, encoding="utf-8")
    (tmp_path / "b.heyan").write_text(HEADER, encoding="utf-8")
    with pytest.raises(heyan.HeyanError, match="2 个入口规则集") as e:
        heyan.compile(tmp_path)
    assert not isinstance(e.value, heyan.RuleError)
    assert e.value.code == "INVALID_ARGUMENT"
    assert str(tmp_path / "a.heyan") in str(e.value) and str(tmp_path / "b.heyan") in str(e.value)
    with pytest.raises(heyan.HeyanError, match="2 entry rule sets"):
        heyan.compile(tmp_path, language="en")


def test_compile_entry_is_found_by_the_parser_not_by_a_line_scan(tmp_path):
    # An import on the header's line is an import (the language does not care about line
    # breaks); a scan for lines starting with 导入 missed it and saw two entries here.
    (tmp_path / "params.heyan").write_text(
        '规则集 省级参数 版本 "1" 依据 "p"\n参数 月低保标准: 金额 = 450元 依据 "p"\n', encoding="utf-8")
    (tmp_path / "main.heyan").write_text(
        '规则集 甲 版本 "1" 依据 "p" 导入 "params.heyan"\n规则 R "r" 依据 "p"\n  当 月低保标准 > 1元\n  则 标记\n',
        encoding="utf-8")
    assert heyan.compile(tmp_path).name == "甲"
    (tmp_path / "empty").mkdir()
    with pytest.raises(heyan.HeyanError) as e:
        heyan.compile(tmp_path / "empty")
    assert e.value.code == "NOT_FOUND" and "没有规则文件" in str(e.value)


def test_compile_sources_with_imports():
    params = '规则集 省级参数 版本 "1" 依据 "p"\n参数 月低保标准: 金额 = 450元 依据 "p"\n'
    main = HEADER + '导入 "params.heyan"\n规则 R "r" 依据 "p"\n  当 月低保标准 > 1元\n  则 标记\n'
    program = heyan.compile_sources({"main.heyan": main, "params.heyan": params}, "main.heyan")
    assert program.name == "测试"
    assert heyan.compile_sources({"only.heyan": SMALL_RULES}).name == "小型测试"
    with pytest.raises(ValueError, match="entry"):
        heyan.compile_sources({"a.heyan": main, "params.heyan": params})
    with pytest.raises(TypeError):
        heyan.compile_sources({"a.heyan": b"bytes"})


def test_rule_error_has_positioned_diagnostics(tmp_path):
    path = tmp_path / "bad.heyan"
    # Line 3, column 22 (characters, not bytes): an unknown name.
    path.write_text(HEADER + '参数 月低保标准: 金额 = 450元 依据 "p"\n'
                    '计算 人数: 整数 = 计数(成员) + 未定义的值 依据 "p"\n', encoding="utf-8")
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile(path)
    err = e.value
    assert isinstance(err, heyan.HeyanError)
    assert err.code == "RULE_ERRORS"
    d = err.errors[0]
    assert isinstance(d, heyan.Diagnostic)
    assert (d.file, d.line, d.column, d.code, d.severity) == (str(path), 3, 22, "E0201", "error")
    assert d.length == len("未定义的值")
    assert "未定义的值" in d.message            # Chinese
    assert d.message_en and d.message_en != d.message   # English
    assert any("a" <= c <= "z" for c in d.message_en.lower())
    assert d.source_line.startswith("计算 人数")
    assert f"{path}:3:22" in str(err)       # caret display in the exception text
    assert "E0201" in str(d)


def test_rule_error_lists_every_problem():
    src = HEADER + ('规则 A "a" 依据 "p"\n  当 不存在一 > 1\n  则 不符合\n'
                    '规则 B "b" 依据 "p"\n  当 任一 成员 满足 身份证号 属于 登记册.不存在的登记册\n  则 不符合\n')
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile_sources({"two.heyan": src})
    codes = [(d.line, d.code) for d in e.value.errors]
    assert (3, "E0201") in codes
    assert (6, "E0208") in codes  # unknown registry in a rule


def test_syntax_error():
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile_sources({"syntax.heyan": HEADER + "规则 规则 规则\n"})
    assert e.value.errors[0].line == 2
    assert e.value.errors[0].code.startswith("E01")


def test_missing_file_is_a_rule_error(tmp_path):
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile(tmp_path / "nope.heyan")
    assert e.value.errors[0].code == "E0001"


def test_parameter_overrides_change_the_fingerprint(small_rules_file):
    base = heyan.compile(small_rules_file)
    same = heyan.compile(small_rules_file, {"月低保标准": "450元"})
    other = heyan.compile(small_rules_file, {"月低保标准": "500元"})
    assert other.fingerprint != base.fingerprint
    assert same.fingerprint != other.fingerprint


def test_parameter_override_forms():
    src = HEADER + ('参数 上限: 整数 = 2 依据 "p"\n'
                    '参数 豁免: 列表<车辆类型> = [摩托车] 依据 "p"\n')
    program = heyan.compile_sources({"p.heyan": src},
                                    parameter_overrides={"上限": 3, "豁免": ["摩托车", "农用三轮车"]})
    values = {d.name: d.value for d in program.declarations}
    assert "3" in values["上限"]
    assert "农用三轮车" in values["豁免"]
    with pytest.raises(TypeError):
        heyan.compile_sources({"p.heyan": src}, parameter_overrides={"上限": 2.5})
    with pytest.raises(TypeError):
        heyan.compile_sources({"p.heyan": src}, parameter_overrides=[("上限", "3")])


def test_bad_parameter_overrides_are_rule_errors(small_rules_file):
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile(small_rules_file, {"没有这个参数": "1元"})
    assert e.value.errors[0].code == "E0201"
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile(small_rules_file, {"月低保标准": "1"})  # int for money
    assert e.value.errors[0].code == "E0303"


def test_language_option(small_rules_file):
    assert heyan.compile(small_rules_file, language="en").name == "小型测试"
    with pytest.raises(ValueError):
        heyan.compile(small_rules_file, language="fr")


def test_workload_rules_compile():
    program = heyan.compile(WORKLOAD_RULES)
    assert program.name == "农村低保基准"
    rules = [d.name for d in program.declarations if d.kind == "rule"]
    assert rules == ["SALARIED_STAFF", "VEHICLE", "MACHINERY", "DEPOSITS", "HOUSING", "INCOME",
                     "RELATIVE_OF_STAFF"]


def test_shipped_example_rules_compile():
    program = heyan.compile(SOURCE_DIR / "rules" / "examples" / "city.heyan")
    assert program.fingerprint


def test_program_is_not_picklable(small_program):
    with pytest.raises(TypeError, match="compile the rules where they are used"):
        pickle.dumps(small_program)


def test_program_cannot_be_made_directly():
    with pytest.raises(TypeError):
        heyan.Program(object(), [])


def test_errors_pickle_with_their_attributes():
    with pytest.raises(heyan.RuleError) as e:
        heyan.compile_sources({"bad.heyan": HEADER + "计算 x: 整数 = y 依据 \"p\"\n"})
    copy = pickle.loads(pickle.dumps(e.value))
    assert copy.diagnostics == e.value.diagnostics
    assert str(copy) == str(e.value)
    ev = heyan.EvaluationError("bad", "INVALID_ARGUMENT", 7, "A-7")
    copy = pickle.loads(pickle.dumps(ev))
    assert (copy.message, copy.code, copy.index, copy.application_id) == ("bad", "INVALID_ARGUMENT", 7, "A-7")
    assert isinstance(copy, heyan.DataError)
