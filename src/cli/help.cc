// The table of `heyan` subcommands and their help (see help.h; private to the CLI).
#include "cli/help.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/campaign_cli.h"
#include "cli/commands.h"
#include "common/text.h"
#include "heyan/program.h"

namespace heyan::cli {
namespace {

int Version(const std::vector<std::string>&) {
  std::cout << kEngineVersion << "\n";
  return 0;
}

int HelpCommand(const std::vector<std::string>& args);

// THE table. To add a command, add one entry here (see help.h). Keep the texts short: the
// overview shows `summary`, `heyan help NAME` shows the rest.
const std::vector<CommandHelp>& Table() {
  static const auto* commands = new std::vector<CommandHelp>{
      {"check",
       Check,
       {"检查规则文件的语法、名称、类型、决策表和依据", "check rule files: syntax, names, types, decision tables and citations"},
       {"文件或目录... [--format=text|json] [--lang=zh|en] [--assumptions] [--strict]",
        "FILE|DIR... [--format=text|json] [--lang=zh|en] [--assumptions] [--strict]"},
       {"检查每个规则集（目录中的 *.heyan 文件及其导入的文件），一次列出所有能发现的问题：语法错误、未知的名称、"
        "类型不符、决策表的遗漏和重叠，以及没有写依据的规则和参数取值（警告 W0214）。每条问题给出文件、行、列和改法。",
        "Checks every rule set (the *.heyan files of a directory and the files they import) and lists every "
        "problem it can find in one run: syntax errors, unknown names, type mismatches, gaps and overlaps in "
        "decision tables, and rules or parameter values without a citation (warning W0214). Each problem "
        "names its file, line and column and how to fix it."},
       {{"--format", {"=json", "=json"},
         {"每条问题输出一行 JSON（供编辑器和脚本使用）；默认 text", "one JSON object per problem (for editors and scripts); default text"}},
        {"--lang", {"=en", "=en"}, {"用英文输出（默认中文：--lang=zh）", "English messages (default Chinese: --lang=zh)"}},
        {"--assumptions", {"", ""},
         {"另外列出每个“假设”参数的取值、理由和依据", "also list every assumption parameter with its value, reason and basis"}},
        {"--strict", {"", ""},
         {"警告也算错误：例如没有写依据的规则（W0214）会使检查失败，用于发布前的检查",
          "treat warnings as errors: e.g. a rule without a citation (W0214) fails the check; for release checks"}}},
       {{"heyan check rules/", {"检查 rules/ 下的所有规则集", "check every rule set under rules/"}},
        {"heyan check --strict rules/henan/zhengzhou/zhengzhou.heyan",
         {"发布前检查：警告也算错误", "release check: warnings count as errors"}},
        {"heyan check --format=json rules/ > problems.jsonl",
         {"把问题写成 JSON 行，交给编辑器或脚本", "write the problems as JSON lines for an editor or a script"}}},
       {"0 没有错误；1 有错误（--strict 时警告也算）；2 用法错误",
        "0 no errors; 1 errors (with --strict, warnings too); 2 usage error"}},

      {"eval",
       Eval,
       {"用一个规则集批量核验申请，每份申请输出一条决定", "decide a stream of applications with one rule set, one decision each"},
       {"--rules 规则 --in 申请 [--out 决定] [--registry 名称=文件 ...]\n"
        "[--checked-on 名称=日期[,批次] ...] [--threads N] [--as-of 日期]\n"
        "[--trace] [--lean] [--strict-ids] [--lang=zh|en]",
        "--rules RULES --in APPLICATIONS [--out DECISIONS] [--registry NAME=FILE ...]\n"
        "[--checked-on NAME=DATE[,REF] ...] [--threads N] [--as-of DATE]\n"
        "[--trace] [--lean] [--strict-ids] [--lang=zh|en]"},
       {"读入申请（每行一个 JSON，或二进制），按输入顺序输出决定（结论、原因、金额、规则指纹）。读不懂或无法核验的一条"
        "在原位置输出一条错误记录，其余照常核验。结束时在标准错误（--out 为文件时在标准输出）打印汇总：条数、各结论的数量"
        "和原因。没有用 --registry 加载的登记册算作“未核对”：用到它的规则得出“缺少材料”。",
        "Reads applications (JSON lines, or binary) and writes one decision per application in input order "
        "(outcome, reasons, amounts, rules fingerprint). A record that cannot be read or decided becomes an error "
        "record in its place; the others are decided as usual. At the end a summary (counts per outcome and "
        "reason) goes to stderr (to stdout when --out is a file). A registry not loaded with --registry is "
        "\"not checked\": rules that read it give missing evidence."},
       {{"--rules", {" 规则", " RULES"},
         {"规则文件，或只含一个入口规则集的目录", "a rule file, or a directory with exactly one entry rule set"}},
        {"--in", {" 文件", " FILE"},
         {"申请或核验请求（带本户核对结果的申请）：JSON 行（默认）或长度前缀二进制（.pb/.bin 或 --in-format binary）；- 为标准输入",
          "applications or verification requests (an application with its own check results): JSON lines "
          "(default) or length-delimited binary (.pb/.bin or --in-format binary); - is stdin"}},
        {"--out", {" 文件", " FILE"}, {"决定，按输入顺序；- 或不写为标准输出", "decisions, in input order; - or absent is stdout"}},
        {"--registry", {" 名称=文件", " NAME=FILE"},
         {"核对数据（登记册），名称用中文或英文，如 财政供养人员=payroll.csv；支持 .csv .jsonl .pb/.bin .txt（身份证号列表）；"
          "加载的登记册对所有申请都算已核对",
          "verification data (a registry), NAME in Chinese or English, e.g. 财政供养人员=payroll.csv; .csv .jsonl "
          ".pb/.bin .txt (a list of ID numbers); a loaded registry counts as checked for every application"}},
        {"--checked-on", {" 名称=日期[,批次]", " NAME=DATE[,REF]"},
         {"该登记册数据的核对日期和批次（默认取文件修改日期和文件名）",
          "the date and batch reference of that registry's data (default: the file's modification date and name)"}},
        {"--in-type", {" 类型", " TYPE"},
         {"auto（默认：顶层有 \"application\" 的 JSON 行是核验请求）、application 或 request",
          "auto (default: a JSON line with a top-level \"application\" is a request), application or request"}},
        {"--in-format", {" json|binary|text|csv", " json|binary|text|csv"},
         {"输入格式（默认按文件扩展名）：text 为中文字段名的文本格式（同测试案例），csv 为每位成员一行的表格",
          "input format (default: by file extension): text is the text format with Chinese field names (as in "
          "test cases), csv a spreadsheet with one row per member"}},
        {"--out-format", {" jsonl|binary|csv|xlsx", " jsonl|binary|csv|xlsx"},
         {"输出格式（默认按文件扩展名）：csv、xlsx 为每户一行的表格（编号、乡镇、申请人、结论、保障金额（元）、理由…）",
          "output format (default: by file extension): csv and xlsx are one row per household (编号, 乡镇, 申请人, "
          "结论, 保障金额（元）, 理由…)"}},
        {"--threads", {" N", " N"}, {"工作线程数（默认：处理器核数）", "worker threads (default: number of cores)"}},
        {"--batch-size", {" N", " N"}, {"每批读入的申请数（默认 1000）", "applications read per batch (default 1000)"}},
        {"--as-of", {" 日期", " DATE"}, {"所有申请的核验日期（YYYY-MM-DD）", "evaluation date for every application (YYYY-MM-DD)"}},
        {"--trace", {"", ""}, {"在决定中记录每条规则、每个值和参数", "record every rule, value and parameter in the decisions"}},
        {"--lean", {"", ""}, {"只输出结论、规则编号和金额（不含标题和说明）", "outcomes, rule ids and amounts only (no titles or messages)"}},
        {"--strict-ids", {"", ""},
         {"拒绝校验位不对的登记册身份证号", "refuse registry ID numbers with a wrong check character"}},
        {"--lang", {"=en", "=en"}, {"用英文输出汇总和问题（默认中文）", "English summary and messages (default Chinese)"}}},
       {{"heyan eval --rules rules/examples/city.heyan --registry 财政供养人员=examples/data/public_payroll_staff.csv "
         "--in examples/data/applications.jsonl --out decisions.jsonl",
         {"核验示例申请，加载财政供养人员名册", "decide the example applications against the payroll registry"}},
        {"heyan eval --rules rules/henan/zhengzhou/zhengzhou.heyan --in - --as-of 2024-03-01 < applications.jsonl",
         {"从标准输入读申请，按 2024-03-01 核验，决定写到标准输出",
          "read applications from stdin, decide them as of 2024-03-01, write the decisions to stdout"}}},
       {"0 全部核验；3 有错误记录；2 没有核验（用法、规则或登记册有误）；1 读写中断",
        "0 all decided; 3 some records are errors; 2 nothing decided (usage, rules or registries); 1 I/O failure"}},

      {"explain",
       Explain,
       {"核验一份申请并解释结论（工作人员版或给申请人的告知书）",
        "decide one application and explain it (for staff, or a letter to the applicant)"},
       {"--rules 规则 申请文件 [--registry 名称=文件 ...]\n"
        "[--checked-on 名称=日期[,批次] ...] [--as-of 日期]\n"
        "[--audience=staff|applicant] [--addressee 身份证号]\n"
        "[--format=text|json|html] [--out 文件] [--strict-ids] [--lang=zh|en]\n"
        "[--office 经办单位] [--phone 联系电话] [--publicity-days 天数] [--with-sources]",
        "--rules RULES APPLICATION [--registry NAME=FILE ...]\n"
        "[--checked-on NAME=DATE[,REF] ...] [--as-of DATE]\n"
        "[--audience=staff|applicant] [--addressee ID]\n"
        "[--format=text|json|html] [--out FILE] [--strict-ids] [--lang=zh|en]\n"
        "[--office OFFICE] [--phone NUMBER] [--publicity-days DAYS] [--with-sources]"},
       {"申请文件是一份申请（protobuf JSON，或 .textproto 文本格式），也可以是带本户核对结果的核验请求。说明列出结论、"
        "适用的规则及其依据、用到的数值和计算过程；告知书（--audience=applicant）只写申请人可以看的内容。",
        "APPLICATION holds one application (protobuf JSON, or text format for .textproto) or a verification "
        "request with the household's own check results. The explanation gives the outcome, the rules that "
        "applied with their citations, the values used and the calculation; a letter (--audience=applicant) "
        "shows only what the applicant may see."},
       {{"--rules", {" 规则", " RULES"},
         {"规则文件，或只含一个入口规则集的目录", "a rule file, or a directory with exactly one entry rule set"}},
        {"--registry", {" 名称=文件", " NAME=FILE"}, {"核对数据（同 heyan eval）", "verification data (as for heyan eval)"}},
        {"--checked-on", {" 名称=日期[,批次]", " NAME=DATE[,REF]"},
         {"该登记册数据的核对日期和批次", "the date and batch reference of that registry's data"}},
        {"--as-of", {" 日期", " DATE"}, {"核验日期（YYYY-MM-DD）", "evaluation date (YYYY-MM-DD)"}},
        {"--audience", {"=staff|applicant", "=staff|applicant"},
         {"staff：工作人员版（默认）；applicant：给申请人的告知书", "staff: for case workers (default); applicant: a letter"}},
        {"--addressee", {" 身份证号", " ID"},
         {"告知书写给哪位成员（其他成员的信息不显示）", "the member a letter is addressed to (other members' data is hidden)"}},
        {"--format", {"=text|json|html", "=text|json|html"}, {"输出格式（默认 text）", "output format (default text)"}},
        {"--out", {" 文件", " FILE"}, {"写到文件（默认标准输出）", "write to a file (default stdout)"}},
        {"--strict-ids", {"", ""},
         {"拒绝校验位不对的登记册身份证号", "refuse registry ID numbers with a wrong check character"}},
        {"--office", {" 经办单位", " OFFICE"},
         {"告知书的经办单位：异议说明、补充材料的去处和落款都写它（默认写“乡镇人民政府（街道办事处）”）",
          "the office issuing the letter: named where to object, where to bring documents and above the seal"}},
        {"--phone", {" 联系电话", " NUMBER"}, {"告知书上的联系电话", "the telephone number on the letter"}},
        {"--publicity-days", {" 天数", " DAYS"},
         {"结果公示期的天数，1 到 90（默认 7）", "days of public notice of the result, 1 to 90 (default 7)"}},
        {"--with-sources", {"", ""},
         {"工作人员版列出规则所在的文件和行、逐项筛选的规则表达式（供规则作者核对）",
          "staff explanations show each rule's file and line and the item-by-item expressions (for rule authors)"}},
        {"--lang", {"=en", "=en"}, {"用英文解释（默认中文）", "explain in English (default Chinese)"}}},
       {{"heyan explain --rules rules/henan/zhengzhou/zhengzhou.heyan application.json",
         {"解释一份申请的核验结论（工作人员版）", "explain one application's outcome for staff"}},
        {"heyan explain --rules rules/henan/zhengzhou/zhengzhou.heyan --audience=applicant --format=html "
         "--office 金水区丰产路街道办事处 --phone 0371-65550000 --out letter.html application.json",
         {"生成给申请人的告知书（HTML，一张 A4 纸）", "write the letter to the applicant as HTML (one A4 page)"}}},
       {"0 已解释；2 用法错误、规则有误或申请无法读取；1 核验或解释失败",
        "0 explained; 2 usage error, rule errors or an unreadable application; 1 evaluation or explanation failed"}},

      {"test",
       Test,
       {"运行规则集旁的测试案例，核对每个案例的预期结论", "run the test cases beside the rule files and compare expected outcomes"},
       {"目录或文件... [--coverage] [--verbose] [--trace] [--lang=zh|en]",
        "DIR|FILE... [--coverage] [--verbose] [--trace] [--lang=zh|en]"},
       {"每个测试案例（*.textproto）写明要测的规则文件、一份申请、登记册记录和预期的决定。失败的案例逐项列出预期和实际，"
        "并显示实际的决定。最后一行是通过和失败的数量。",
        "Each test case (*.textproto) names the rule file it tests, an application, registry records and the "
        "expected decision. A failing case lists expected and actual side by side and shows the decision it "
        "got. The last line counts the cases that passed and failed."},
       {{"--coverage", {"", ""},
         {"列出没有任何案例用到的规则、例外、参数取值和决策表行",
          "list every rule, exception, parameter value and table row that no case exercises"}},
        {"--verbose", {"", ""}, {"通过的案例也显示决定（也可写 -v）", "show the decision of passing cases too (or -v)"}},
        {"--trace", {"", ""}, {"显示每个案例的核验过程", "show each case's trace"}},
        {"--lang", {"=en", "=en"}, {"用英文输出（默认中文）", "English output (default Chinese)"}}},
       {{"heyan test rules/henan", {"运行 rules/henan 下的全部案例", "run every case under rules/henan"}},
        {"heyan test --coverage rules/henan", {"运行案例并报告覆盖情况", "run the cases and report coverage"}}},
       {"0 全部通过；1 有案例失败或无法读取；2 用法错误", "0 all passed; 1 some cases failed or cannot be read; 2 usage error"}},

      {"screen",
       Screen,
       {"专项治理：筛查在保名册，列出五类重点群体和名单比对，写工作台账", "campaign: screen the roll, list the five key groups and list comparisons, write the ledger"},
       {"--rules 规则 --roll 在保名册.jsonl --as-of 日期 --out 台账.xlsx\n"
        "[--history 历史记录.jsonl] [--roster 经办人员名册.jsonl] [--registry 名称=文件 ...]\n"
        "[--checked-on 名称=日期[,批次] ...] [--format=xlsx|csv|jsonl] [--db 活动.sqlite] [--all] [--threads N]\n"
        "record-visit --db 活动.sqlite --key 台账编号 --date 日期 --staff 核查人 --result 结果 [--finding 核查情况]\n"
        "import-visits --db 活动.sqlite 填好的台账.xlsx|.csv|.jsonl [--correct]",
        "--rules RULES --roll ROLL.jsonl --as-of DATE --out LEDGER.xlsx\n"
        "[--history FILE] [--roster FILE] [--registry NAME=FILE ...]\n"
        "[--checked-on NAME=DATE[,REF] ...] [--format=xlsx|csv|jsonl] [--db CAMPAIGN.sqlite] [--all] [--threads N]\n"
        "record-visit --db CAMPAIGN.sqlite --key KEY --date DATE --staff NAME --result RESULT [--finding TEXT]\n"
        "import-visits --db CAMPAIGN.sqlite FILLED.xlsx|.csv|.jsonl [--correct]"},
       {"按郑民文〔2018〕66号第四部分(二)，用核对数据重新核验在保名册的每一户，列出五类重点群体（建档立卡、新增、重新纳入、"
        "经办人员近亲属、重度残疾）、与建档立卡名单的双向比对、漏保的重度残疾人和应清退的户，写成按乡镇分表的工作台账；"
        "入户核查的结果用 record-visit 或 import-visits 录回活动数据库。详见 docs/campaign-zh.md。",
        "Re-decides every household on the roll against the verification data (郑民文〔2018〕66号 part 4 (2)), lists "
        "the five key groups, the two-way comparison with the poverty registry, missed severely disabled persons and "
        "households to remove, and writes the ledger with one sheet per township; visit results go back into the "
        "campaign database with record-visit or import-visits. See docs/campaign-zh.md."},
       {{"--rules", {" 规则", " RULES"}, {"规则文件或目录", "a rule file or directory"}},
        {"--roll", {" 文件", " FILE"}, {"在保名册（每行一户的 JSON）", "the roll (one household per JSON line)"}},
        {"--as-of", {" 日期", " DATE"}, {"筛查日期（YYYY-MM-DD）", "screening date (YYYY-MM-DD)"}},
        {"--out", {" 文件", " FILE"}, {"工作台账（.xlsx、.csv 或 .jsonl）", "the ledger (.xlsx, .csv or .jsonl)"}},
        {"--history", {" 文件", " FILE"}, {"不予纳入、退出的历史记录（用于第三类群体）", "refusals and exits (for group 3)"}},
        {"--roster", {" 文件", " FILE"}, {"经办人员和村干部名册及其亲属（用于第四类群体）", "staff and cadres with their relatives (group 4)"}},
        {"--registry", {" 名称=文件", " NAME=FILE"}, {"核对数据（同 heyan eval）", "verification data (as for heyan eval)"}},
        {"--checked-on", {" 名称=日期[,批次]", " NAME=DATE[,REF]"}, {"该登记册数据的核对日期和批次", "the date and reference of that registry's data"}},
        {"--db", {" 文件", " FILE"}, {"活动数据库（SQLite）：台账编号、入户核查结果", "the campaign database (SQLite): ledger keys, visit results"}},
        {"--format", {"=xlsx|csv|jsonl", "=xlsx|csv|jsonl"}, {"台账格式（默认按 --out 的扩展名）", "ledger format (default: from --out's extension)"}},
        {"--all", {"", ""}, {"台账列出每一户（默认只列需要处理的户）", "list every household (default: only those needing action)"}},
        {"--threads", {" N", " N"}, {"工作线程数（默认 1）", "worker threads (default 1)"}},
        {"--param", {" 参数=值", " NAME=VALUE"}, {"临时改一个参数的取值（可多次）", "override a parameter's value (repeatable)"}},
        {"--partition-marks", {" 文件", " FILE"},
         {"分区筛查：把本分区的标记写到这个文件，供 --merge 合并（见 examples/dask_campaign.py）",
          "partitioned run: write this partition's marks to FILE for --merge (see examples/dask_campaign.py)"}},
        {"--merge", {" 分区台账=分区标记", " LEDGER=MARKS"},
         {"合并分区：代替 --roll，按分区顺序给出各分区的台账和标记（可多次）",
          "merge partitions instead of --roll: each partition's ledger and marks, in order (repeatable)"}}},
       {{"heyan screen --rules rules/henan/zhengzhou/zhengzhou.heyan --roll examples/campaign/roll.jsonl "
         "--as-of 2024-09-30 --out 台账.xlsx --db 专项治理.sqlite",
         {"筛查示例名册，写工作台账", "screen the example roll and write the ledger"}},
        {"heyan screen import-visits --db 专项治理.sqlite 填好的工作台账.xlsx",
         {"把乡镇填好的台账录回活动数据库", "read a filled-in ledger back into the campaign database"}}},
       {"0 完成；2 用法错误、规则或文件有误；1 读写失败", "0 done; 2 usage, rule or file errors; 1 I/O failure"}},

      {"disclose",
       Disclose,
       {"专项治理：生成村、乡、县三级公示（保密对象不公示）", "campaign: write the village, township and county notices (confidential persons withheld)"},
       {"--roll 在保名册.jsonl --as-of 日期 --out-dir 目录 [--format=html|csv|all] [--title 县区名]",
        "--roll ROLL.jsonl --as-of DATE --out-dir DIR [--format=html|csv|all] [--title COUNTY]"},
       {"按郑民文〔2018〕66号第四部分(四)4：村级公示栏列姓名、保障类别、金额、致困原因、批准时间；乡级网站列姓名、村居、金额，"
        "不公示未成年人、艾滋病患者等需保密的对象；县级公示各乡镇户数和人数。",
        "Per 郑民文〔2018〕66号 part 4 (4) 4: the village board lists name, category, amount, cause and approval date; "
        "the township website name, village and amount, withholding minors, persons with HIV and others to be kept "
        "confidential; the county the households and persons per township."},
       {{"--roll", {" 文件", " FILE"}, {"在保名册", "the roll"}},
        {"--as-of", {" 日期", " DATE"}, {"公示日期（按此日期判断未成年人）", "notice date (minors are counted on it)"}},
        {"--out-dir", {" 目录", " DIR"}, {"公示文件写到这个目录", "the directory for the notices"}},
        {"--format", {"=html|csv|all", "=html|csv|all"}, {"输出格式（默认 all）", "output format (default all)"}},
        {"--title", {" 县区名", " COUNTY"}, {"标题中的县区名（默认取自名册）", "the county's name in headings (default: from the roll)"}}},
       {{"heyan disclose --roll examples/campaign/roll.jsonl --as-of 2024-10-01 --out-dir 公示",
         {"生成示例名册的三级公示", "write the three levels of notices for the example roll"}}},
       {"0 完成；2 用法错误或文件有误；1 写入失败", "0 done; 2 usage or file errors; 1 write failure"}},

      {"diff",
       Diff,
       {"比较两版规则（或两个参数值）对同一批申请的结论", "compare two rule versions (or parameter values) on the same households"},
       {"--old 旧规则 [--old-param 参数=值 ...] --new 新规则 [--new-param 参数=值 ...]\n"
        "--in 申请或在保名册.jsonl --as-of 日期 [--in-type=applications|roll]\n"
        "[--registry 名称=文件 ...] [--checked-on ...] [--format=text|csv|jsonl] [--out 文件]",
        "--old RULES [--old-param NAME=VALUE ...] --new RULES [--new-param NAME=VALUE ...]\n"
        "--in FILE.jsonl --as-of DATE [--in-type=applications|roll]\n"
        "[--registry NAME=FILE ...] [--checked-on ...] [--format=text|csv|jsonl] [--out FILE]"},
       {"调整标准或修改规则之前，先看哪些户的结论或金额会变：逐户列出新增符合、不再符合、金额增减。",
        "Before a standard or a rule changes, see whose outcome or amount would change: households that become "
        "eligible, stop being eligible, or get more or less."},
       {{"--old", {" 规则", " RULES"}, {"旧规则", "the old rules"}},
        {"--new", {" 规则", " RULES"}, {"新规则", "the new rules"}},
        {"--old-param", {" 参数=值", " NAME=VALUE"}, {"旧规则的参数取值", "a parameter value for the old rules"}},
        {"--new-param", {" 参数=值", " NAME=VALUE"}, {"新规则的参数取值", "a parameter value for the new rules"}},
        {"--in", {" 文件", " FILE"}, {"申请或在保名册（JSON 行）", "applications or the roll (JSON lines)"}},
        {"--as-of", {" 日期", " DATE"}, {"核验日期", "evaluation date"}},
        {"--in-type", {"=applications|roll", "=applications|roll"}, {"--in 是申请（默认）还是在保名册", "whether --in holds applications (default) or the roll"}},
        {"--registry", {" 名称=文件", " NAME=FILE"}, {"核对数据（同 heyan eval）", "verification data (as for heyan eval)"}},
        {"--checked-on", {" 名称=日期[,批次]", " NAME=DATE[,REF]"}, {"该登记册数据的核对日期和批次", "the date and reference of that registry's data"}},
        {"--format", {"=text|csv|jsonl", "=text|csv|jsonl"}, {"输出格式（默认 text）", "output format (default text)"}},
        {"--out", {" 文件", " FILE"}, {"写到文件（默认标准输出）", "write to a file (default stdout)"}}},
       {{"heyan diff --old rules/henan/zhengzhou/zhengzhou.heyan --old-param 郑州市城市低保标准=740元 "
         "--new rules/henan/zhengzhou/zhengzhou.heyan --in examples/campaign/roll.jsonl --in-type=roll --as-of 2024-09-30",
         {"标准从 740元 调到现行标准，哪些户会变", "whose outcome changes when the standard goes from 740元 to the current one"}}},
       {"0 完成；2 用法错误、规则或文件有误；1 读写失败", "0 done; 2 usage, rule or file errors; 1 I/O failure"}},

#ifdef HEYAN_HAVE_SERVICE
      {"serve",
       Serve,
       {"作为 gRPC 服务运行（县区系统逐户核验）", "run as a gRPC service (county systems decide one household at a time)"},
       {"--rules 目录 [--registry 名称=文件 ...] [--checked-on 名称=日期[,批次] ...] [--listen 主机:端口]\n"
        "(--clients 文件 | --allow-anonymous) [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
        "[--audit-db 文件] [--audit-pii] [--audit-key 文件] [--max-request-bytes N] [--max-batch N]\n"
        "[--max-seconds S] [--workers N] [--queue N] [--watch 秒] [--default-ruleset 名称] [--strict-ids]",
        "--rules DIR [--registry NAME=FILE ...] [--checked-on NAME=DATE[,REF] ...] [--listen HOST:PORT]\n"
        "(--clients FILE | --allow-anonymous) [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
        "[--audit-db FILE] [--audit-pii] [--audit-key FILE] [--max-request-bytes N] [--max-batch N]\n"
        "[--max-seconds S] [--workers N] [--queue N] [--watch SECONDS] [--default-ruleset NAME] [--strict-ids]"},
       {"提供 heyan.v1.Verification 服务（Evaluate、EvaluateStream、Explain、Check、RuleSets）。每个客户端只能核验自己县区的"
        "申请；每个决定和拒绝都记入 SQLite 审计日志（身份证号默认只存哈希）。kill -HUP 或 --watch 原子地重新加载规则和登记册。",
        "Serves heyan.v1.Verification (Evaluate, EvaluateStream, Explain, Check, RuleSets). Each client may decide "
        "only its own county's applications; every decision and refusal goes to the SQLite audit log (ID numbers "
        "hashed unless --audit-pii). kill -HUP or --watch reloads rules and registries atomically."},
       {{"--rules", {" 目录", " DIR"}, {"规则文件或目录，可多次（多个规则集）", "rule file or directory, repeatable (several rule sets)"}},
        {"--listen", {" 主机:端口", " HOST:PORT"}, {"监听地址（默认 127.0.0.1:50051）", "address to listen on (default 127.0.0.1:50051)"}},
        {"--clients", {" 文件", " FILE"}, {"客户端名单：名称、令牌或证书、可核验的县区", "the clients: name, token or certificate, counties"}},
        {"--allow-anonymous", {"", ""}, {"不验证客户端（只用于本机测试）", "no client authentication (local testing only)"}},
        {"--audit-db", {" 文件", " FILE"}, {"审计日志数据库", "the audit log database"}},
        {"--workers", {" N", " N"}, {"同时核验的请求数（默认 8）", "requests decided at once (default 8)"}},
        {"--queue", {" N", " N"}, {"排队的请求数上限，超出时立即拒绝（默认 64）", "queued requests before refusing at once (default 64)"}},
        {"--watch", {" 秒", " SECONDS"}, {"每隔这么多秒检查规则和登记册是否有变化并重新加载", "reload rules and registries when they change, checked this often"}},
        {"--registry", {" 名称=文件", " NAME=FILE"}, {"核对数据（同 heyan eval）", "verification data (as for heyan eval)"}},
        {"--checked-on", {" 名称=日期[,批次]", " NAME=DATE[,REF]"}, {"该登记册数据的核对日期和批次", "the date and reference of that registry's data"}},
        {"--default-ruleset", {" 名称", " NAME"}, {"请求没有指定规则集时用的规则集", "the rule set for requests that name none"}},
        {"--tls-cert", {" PEM", " PEM"}, {"服务端证书（启用 TLS）", "the server certificate (enables TLS)"}},
        {"--tls-key", {" PEM", " PEM"}, {"服务端私钥", "the server's private key"}},
        {"--tls-client-ca", {" PEM", " PEM"}, {"要求客户端证书，由这个 CA 签发（证书 CN 为客户端名称）", "require client certificates from this CA (CN = client name)"}},
        {"--audit-pii", {"", ""}, {"审计日志保存身份证号原文（默认只存 HMAC-SHA256）", "keep ID numbers in the audit log (default: HMAC-SHA256 only)"}},
        {"--audit-key", {" 文件", " FILE"}, {"审计日志哈希身份证号用的密钥", "the key for hashing ID numbers in the audit log"}},
        {"--max-request-bytes", {" N", " N"}, {"单个请求的最大字节数（默认 4 MiB）", "largest request in bytes (default 4 MiB)"}},
        {"--max-batch", {" N", " N"}, {"一次批量请求的最多户数（默认 10000）", "households per streamed batch at most (default 10000)"}},
        {"--max-seconds", {" S", " S"}, {"每次调用的最长时间（默认 30 秒）", "longest time per call (default 30 s)"}},
        {"--strict-ids", {"", ""}, {"拒绝校验位不对的登记册身份证号", "refuse registry ID numbers with a wrong check character"}}},
       {{"heyan serve --rules rules/examples/city.heyan --listen 127.0.0.1:50051 --allow-anonymous",
         {"在本机启动服务（不验证客户端）", "start the service locally without client authentication"}}},
       {"0 收到 SIGTERM 后正常停止；2 用法错误；1 启动失败", "0 stopped by SIGTERM; 2 usage error; 1 failed to start"}},
#endif

      {"version",
       Version,
       {"显示引擎版本", "print the engine version"},
       {"", ""},
       {"", ""},
       {},
       {{"heyan version", {"显示版本号", "print the version"}}},
       {"", ""}},

      {"help",
       HelpCommand,
       {"显示全部命令，或某个命令的说明", "list the commands, or explain one"},
       {"[命令] [--lang=zh|en]", "[COMMAND] [--lang=zh|en]"},
       {"“heyan help 命令”和“heyan 命令 --help”显示同样的说明。", "'heyan help COMMAND' and 'heyan COMMAND --help' show the same text."},
       {{"--lang", {"=en", "=en"}, {"用英文显示（默认中文）", "show the help in English (default Chinese)"}}},
       {{"heyan help eval", {"显示 eval 命令的说明", "explain the eval command"}},
        {"heyan --help --lang=en", {"用英文列出全部命令", "list the commands in English"}}},
       {"", ""}},
  };
  return *commands;
}

int HelpCommand(const std::vector<std::string>& args) {
  const Language lang = LanguageOf(args);
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--lang") {
      ++i;  // its value
    } else if (args[i].rfind("-", 0) != 0) {
      words.push_back(args[i]);
    }
  }
  if (words.empty()) {
    std::cout << FormatOverview(lang);
    return 0;
  }
  if (words.size() > 1) {
    return UsageError("help", Text{"一次只能查看一个命令的说明", "give one command"}, lang);
  }
  const CommandHelp* command = FindCommand(words[0]);
  if (command == nullptr) {
    std::cerr << UnknownCommand(words[0], lang);
    return 2;
  }
  std::cout << FormatCommandHelp(*command, lang);
  return 0;
}

// Appends `text` indented by `indent` spaces, wrapped at about `width` columns (CJK characters
// take two). Breaks at spaces, or anywhere between CJK characters.
void AppendWrapped(std::string* out, std::string_view text, int indent, int width) {
  const std::u32string chars = internal::DecodeUtf8(text);
  std::u32string line;
  int line_width = 0;
  auto flush = [&] {
    while (!line.empty() && line.back() == U' ') line.pop_back();
    absl::StrAppend(out, std::string(indent, ' '), internal::EncodeUtf8(line), "\n");
    line.clear();
    line_width = 0;
  };
  size_t i = 0;
  while (i < chars.size()) {
    // The next unit: a run of non-space ASCII (a word), or one other character.
    size_t j = i + 1;
    if (chars[i] < 0x80 && chars[i] != U' ') {
      while (j < chars.size() && chars[j] < 0x80 && chars[j] != U' ') ++j;
    }
    int unit_width = 0;
    for (size_t k = i; k < j; ++k) unit_width += internal::DisplayWidth(chars[k]);
    // Closing punctuation stays with what it closes.
    const bool closing = j == i + 1 && std::u32string_view(U"，。；：、）”").find(chars[i]) != std::u32string_view::npos;
    if (line_width + unit_width > width && line_width > 0 && !closing) {
      flush();
      if (chars[i] == U' ') {
        i = j;
        continue;
      }
    }
    line.append(chars, i, j - i);
    line_width += unit_width;
    i = j;
  }
  if (!line.empty()) flush();
}

int Width(std::string_view s) {
  int w = 0;
  for (char32_t c : internal::DecodeUtf8(s)) w += internal::DisplayWidth(c);
  return w;
}

constexpr int kWrap = 76;



// "heyan NAME USAGE" after `prefix`, continuation lines of the usage aligned under its start.
std::string UsageLines(const CommandHelp& command, std::string_view prefix, Language lang) {
  std::string head = absl::StrCat(std::string(prefix), "heyan ", command.name);
  const std::string_view usage = command.usage.In(lang);
  if (usage.empty()) return head + "\n";
  const std::string indent(Width(head) + 1, ' ');
  std::string out = absl::StrCat(head, " ");
  for (char c : usage) {
    out.push_back(c);
    if (c == '\n') out += indent;
  }
  return out + "\n";
}

// An example command line, wrapped at spaces with shell continuations (" \\"); an option
// stays on one line with its value.
void AppendCommandLine(std::string* out, std::string_view command) {
  std::vector<std::string> units;
  size_t start = 0;
  while (start <= command.size()) {
    size_t end = command.find(' ', start);
    if (end == std::string_view::npos) end = command.size();
    std::string word(command.substr(start, end - start));
    const bool value_of_last = !units.empty() && units.back().rfind("--", 0) == 0 &&
                               units.back().find_first_of("= ") == std::string::npos && word[0] != '-';
    if (value_of_last) {
      units.back() += " " + word;
    } else {
      units.push_back(word);
    }
    start = end + 1;
  }
  std::string line = "  ";
  bool empty = true;
  for (const std::string& unit : units) {
    if (!empty && Width(line) + 1 + Width(unit) > kWrap - 2) {
      absl::StrAppend(out, line, " \\\n");
      line = "      ";
      empty = true;
    }
    if (!empty) line += " ";
    line += unit;
    empty = false;
  }
  absl::StrAppend(out, line, "\n");
}

}  // namespace

const std::vector<CommandHelp>& Commands() { return Table(); }

const CommandHelp* FindCommand(std::string_view name) {
  for (const CommandHelp& c : Table()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string ShortUsage(const CommandHelp& command, Language lang) {
  const bool en = lang == Language::kEnglish;
  std::string out = UsageLines(command, en ? "usage: " : "用法：", lang);
  absl::StrAppend(&out,
                  en ? absl::StrCat("see 'heyan help ", command.name, " --lang=en' for the options and examples\n")
                     : absl::StrCat("选项和示例见 heyan help ", command.name, "\n"));
  return out;
}

std::string FormatCommandHelp(const CommandHelp& command, Language lang) {
  const bool en = lang == Language::kEnglish;
  std::string out = absl::StrCat("heyan ", command.name, en ? ": " : "：", command.summary.In(lang), "\n\n");
  absl::StrAppend(&out, en ? "usage:\n" : "用法：\n", UsageLines(command, "  ", lang));
  if (*command.description.In(lang) != '\0') {
    out += "\n";
    AppendWrapped(&out, command.description.In(lang), 2, kWrap);
  }
  if (!command.options.empty()) {
    absl::StrAppend(&out, "\n", en ? "options:\n" : "选项：\n");
    std::vector<std::string> flags;
    int widest = 0;
    for (const OptionHelp& o : command.options) {
      flags.push_back(absl::StrCat(o.flag, o.value.In(lang)));
      widest = std::max(widest, Width(flags.back()));
    }
    // Long flags get their description on the next line, so the column stays narrow.
    const int column = std::min(widest, 22) + 4;
    for (size_t i = 0; i < command.options.size(); ++i) {
      std::string described;
      AppendWrapped(&described, command.options[i].description.In(lang), column, kWrap - column + 2);
      const int pad = column - 2 - Width(flags[i]);
      if (pad >= 2) {
        absl::StrAppend(&out, "  ", flags[i], std::string(pad, ' '), described.substr(column));
      } else {
        absl::StrAppend(&out, "  ", flags[i], "\n", described);
      }
    }
  }
  if (!command.examples.empty()) {
    absl::StrAppend(&out, "\n", en ? "examples:\n" : "示例：\n");
    for (const ExampleHelp& e : command.examples) {
      AppendCommandLine(&out, e.command);
      AppendWrapped(&out, e.what.In(lang), 6, kWrap - 4);
    }
  }
  if (*command.exit_status.In(lang) != '\0') {
    absl::StrAppend(&out, "\n", en ? "exit status:\n" : "退出码：\n");
    AppendWrapped(&out, command.exit_status.In(lang), 2, kWrap);
  }
  return out;
}

std::string FormatOverview(Language lang) {
  const bool en = lang == Language::kEnglish;
  std::string out = en ? "heyan: rules engine for minimum living guarantee (低保) verification\n\n"
                         "usage: heyan COMMAND [OPTIONS]\n\ncommands:\n"
                       : "heyan：低保核验规则引擎\n\n用法：heyan 命令 [选项]\n\n命令：\n";
  size_t widest = 0;
  for (const CommandHelp& c : Table()) widest = std::max(widest, std::string_view(c.name).size());
  for (const CommandHelp& c : Table()) {
    absl::StrAppend(&out, "  ", c.name, std::string(widest + 3 - std::string_view(c.name).size(), ' '),
                    c.summary.In(lang), "\n");
  }
  absl::StrAppend(&out, "\n",
                  en ? "'heyan help COMMAND' or 'heyan COMMAND --help' explains one command; add --lang=en for "
                       "English.\n"
                     : "查看某个命令的说明：heyan help 命令，或 heyan 命令 --help；加 --lang=en 用英文显示。\n");
  return out;
}

std::string UnknownCommand(std::string_view name_view, Language lang) {
  const std::string name(name_view);
  const bool en = lang == Language::kEnglish;
  std::vector<std::string> names;
  for (const CommandHelp& c : Table()) names.push_back(c.name);
  const std::string nearest = internal::ClosestMatch(name, names);
  std::string out = en ? absl::StrCat("unknown command '", name, "'.") : absl::StrCat("未知的命令“", name, "”。");
  if (!nearest.empty()) absl::StrAppend(&out, en ? " Did you mean: " : "您是不是要写：", nearest, en ? "?" : "？");
  absl::StrAppend(&out, "\n",
                  en ? "'heyan --help --lang=en' lists the commands.\n" : "运行 heyan --help 查看全部命令。\n");
  return out;
}

int UsageError(std::string_view name, const std::string& problem, Language lang) {
  const CommandHelp* command = FindCommand(name);
  std::cerr << "heyan " << name << (lang == Language::kEnglish ? ": " : "：") << problem << "\n";
  if (command != nullptr) std::cerr << ShortUsage(*command, lang);
  return 2;
}

int UsageError(std::string_view name, const Text& problem, Language lang) {
  return UsageError(name, std::string(problem.In(lang)), lang);
}

Language LanguageOf(const std::vector<std::string>& args) {
  Language lang = Language::kChinese;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--lang=en" || (args[i] == "--lang" && i + 1 < args.size() && args[i + 1] == "en")) {
      lang = Language::kEnglish;
    } else if (args[i] == "--lang=zh" || (args[i] == "--lang" && i + 1 < args.size() && args[i + 1] == "zh")) {
      lang = Language::kChinese;
    }
  }
  return lang;
}

bool AsksForHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace heyan::cli
