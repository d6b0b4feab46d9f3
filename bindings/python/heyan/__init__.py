"""Heyan: rules as code for China's minimum living guarantee (低保).

Compile a rule set once, then decide applications with it::

    import heyan

    program = heyan.compile("rules/examples/city.heyan")
    registries = heyan.Registries().load("财政供养人员", "data/payroll.csv")
    decision = program.evaluate({"id": "A1", "applicationDate": "2024-03-01",
                                 "members": [{"idNumber": "410102199001011234"}]},
                                registries)
    print(heyan.Outcome.Name(decision.outcome), [r.rule_id for r in decision.reasons])

    decisions = program.evaluate_many(applications, registries, threads=4)

Applications are ``heyan.v1.Application`` messages (``heyan.Application``), their
serialized bytes, dicts in protobuf JSON form, or protobuf JSON text (``str``). Decisions are
``heyan.v1.Decision`` messages (``heyan.Decision``).

Errors (one small hierarchy; every class carries ``message`` and ``code``)::

    HeyanError              base; also raised for misuse the engine reports (bad options)
    ├── RuleError           the rule set has errors; ``.diagnostics`` lists them all
    └── DataError           a registry or application is missing or malformed
        └── EvaluationError one application could not be decided (``.index``,
                            ``.application_id``); raised by evaluate(), *returned* in
                            place of a Decision by evaluate_many()

Wrong Python types raise ``TypeError`` and bad argument values ``ValueError``, as usual.

Threads: a Program is immutable; ``evaluate`` and ``evaluate_many`` release the GIL, so
any number of Python threads may evaluate at once. ``Registries.load`` may run while other
threads evaluate: it waits until they are done with that Registries object.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Callable, Iterator, Optional, Union

from google.protobuf import message as _message

from heyan import _heyan
# registry_pb2 for its record types (heyan.v1.registry_pb2.PayrollStaffRecord, ...), which
# Registries.add_records takes.
from heyan.v1 import application_pb2, decision_pb2, registry_pb2, verification_pb2  # noqa: F401

__all__ = [
    "Application",
    "DataError",
    "Decision",
    "Declaration",
    "Diagnostic",
    "ENGINE_VERSION",
    "EvaluationError",
    "HeyanError",
    "Outcome",
    "Program",
    "ReasonKind",
    "Registries",
    "RegistryCheck",
    "RuleError",
    "VerificationRecords",
    "VerificationRequest",
    "compile",
    "compile_sources",
    "to_frame",
]

#: Engine version; part of every rules fingerprint.
ENGINE_VERSION: str = _heyan.ENGINE_VERSION

Application = application_pb2.Application
Decision = decision_pb2.Decision
VerificationRequest = verification_pb2.VerificationRequest
VerificationRecords = verification_pb2.VerificationRecords
RegistryCheck = verification_pb2.RegistryCheck
#: The ``heyan.v1.Outcome`` enum wrapper: ``Outcome.Value("ELIGIBLE")``, ``Outcome.Name(n)``.
Outcome = decision_pb2.Outcome
#: The ``heyan.v1.ReasonKind`` enum wrapper (REASON_INELIGIBLE, REASON_FLAG, ...).
ReasonKind = decision_pb2.ReasonKind

# An application in any accepted form.
ApplicationLike = Union[application_pb2.Application, verification_pb2.VerificationRequest, bytes, bytearray, memoryview,
                        Mapping[str, Any], str]
PathLike = Union[str, "os.PathLike[str]"]

# ---- errors ----------------------------------------------------------------------------


class HeyanError(Exception):
    """Base class of every Heyan error.

    Attributes:
        message: what went wrong, in words.
        code: a stable name to match on: an absl status code name such as
            ``"INVALID_ARGUMENT"`` or ``"NOT_FOUND"``, or ``"RULE_ERRORS"`` for RuleError.
    """

    def __init__(self, message: str, code: str = "UNKNOWN") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __reduce__(self):  # keep attributes across pickling (e.g. Dask results)
        return (self.__class__, (self.message, self.code))


class RuleError(HeyanError):
    """The rule set has errors. ``diagnostics`` lists every problem found, in file then
    position order (errors and warnings); ``str(err)`` shows them with source lines."""

    def __init__(self, message: str, diagnostics: Iterable["Diagnostic"] = ()) -> None:
        super().__init__(message, "RULE_ERRORS")
        self.diagnostics: list[Diagnostic] = list(diagnostics)

    @property
    def errors(self) -> list["Diagnostic"]:
        """The error-level diagnostics only."""
        return [d for d in self.diagnostics if d.severity == "error"]

    def __reduce__(self):
        return (self.__class__, (self.message, self.diagnostics))


class DataError(HeyanError):
    """Input data is missing or malformed: a registry file (naming file, line and field), an
    unknown registry name, an application that does not parse."""


class EvaluationError(DataError):
    """One application could not be decided.

    ``Program.evaluate`` raises it; ``Program.evaluate_many`` puts it in the result list in
    place of the Decision, so one bad record never loses the rest of a batch.

    Attributes:
        index: position of the application in the evaluate_many input (None for evaluate).
        application_id: the application's ``id`` when it parsed far enough to have one,
            else "".
    """

    def __init__(self, message: str, code: str = "INVALID_ARGUMENT",
                 index: Optional[int] = None, application_id: str = "") -> None:
        super().__init__(message, code)
        self.index = index
        self.application_id = application_id

    def __reduce__(self):
        return (self.__class__, (self.message, self.code, self.index, self.application_id))

    def __repr__(self) -> str:
        return (f"EvaluationError(index={self.index!r}, application_id={self.application_id!r}, "
                f"code={self.code!r}, message={self.message!r})")


# ---- compile ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """A problem in a rule file that its author can fix (see include/heyan/diagnostic.h).

    ``line`` and ``column`` are 1-based; ``column`` and ``length`` count characters, not
    bytes. ``message`` is Chinese, ``message_en`` English; ``code`` (e.g. ``"E0201"``) is
    stable and documented in docs/reference.md. ``str(d)`` is the caret display.
    """

    severity: str  # "error" or "warning"
    code: str
    file: str
    line: int
    column: int
    length: int
    message: str
    message_en: str
    suggestion: str = ""
    source_line: str = ""
    formatted: str = dataclasses.field(default="", repr=False, compare=False)
    formatted_en: str = dataclasses.field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        if self.formatted:
            return self.formatted
        return f"{self.file}:{self.line}:{self.column}: {self.code}: {self.message}"


@dataclasses.dataclass(frozen=True)
class Declaration:
    """One declaration of a rule set (see heyan::DeclarationInfo in include/heyan/program.h)."""

    kind: str  # "rule", "parameter", "value", "output", "table"
    name: str
    title: str
    citation: str
    file: str
    line: int
    assumption: bool
    assumption_reason: str
    value: str
    branches: int


def compile(paths: Union[PathLike, Iterable[PathLike]],
            parameter_overrides: Optional[Mapping[str, Any]] = None,
            *, language: str = "zh") -> "Program":
    """Compiles a rule set.

    Args:
        paths: the entry rule file; or a directory, or a list of files and directories, in
            which exactly one rule file must be an entry (not imported by another listed
            file). Imports are read from the file system, relative to the importing file.
        parameter_overrides: parameter name (Chinese or English, as declared) -> value in
            rule-language syntax, e.g. ``{"月低保标准": "450元"}``. An ``int`` is written as
            is; a list or tuple becomes a list constant (``["摩托车", "农用三轮车"]``).
        language: language of the error raised when ``paths`` holds no single entry rule
            file ("zh", "en"); diagnostics always carry both languages.

    Returns:
        The compiled Program.

    Raises:
        RuleError: the rule set has errors, including a missing or unreadable file; every
            problem is in ``.diagnostics``.
        HeyanError: the compiler could not run (invalid options), or ``paths`` names no
            single entry rule file.
    """
    _check_language(language)
    entry = _find_entry(paths, language)
    return _compile(entry, {}, parameter_overrides, language)


def compile_sources(sources: Mapping[str, str], entry: Optional[str] = None,
                    parameter_overrides: Optional[Mapping[str, Any]] = None,
                    *, language: str = "zh") -> "Program":
    """Compiles a rule set held in memory (editors, tests, rules kept in a database).

    Args:
        sources: file name -> rule text. Imports resolve against these names first, then
            the file system.
        entry: the name of the entry file; may be omitted when ``sources`` has one file.
        parameter_overrides, language: as for :func:`compile`.

    Raises:
        RuleError, HeyanError: as for :func:`compile`.
    """
    if not isinstance(sources, Mapping):
        raise TypeError("sources must be a mapping of file name -> rule text")
    for name, text in sources.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise TypeError("sources must map str file names to str rule texts")
    if entry is None:
        if len(sources) != 1:
            raise ValueError("entry is required when sources holds more than one file")
        entry = next(iter(sources))
    return _compile(os.fspath(entry), dict(sources), parameter_overrides, language)


def _check_language(language: str) -> None:
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")


def _compile(entry: str, sources: dict[str, str], overrides: Optional[Mapping[str, Any]],
             language: str) -> "Program":
    _check_language(language)
    try:
        handle, diagnostics = _heyan.compile(entry, sources, _overrides(overrides))
    except _heyan.Error as e:
        raise HeyanError(e.args[1], e.args[0]) from None
    diags = [Diagnostic(**d) for d in diagnostics]
    if handle is None:
        errors = [d for d in diags if d.severity == "error"]
        summary = f"{entry}: {len(errors)} error(s) in the rule set"
        raise RuleError("\n".join([summary] + [str(d).rstrip("\n") for d in diags]), diags)
    return Program(handle, diags)


def _overrides(overrides: Optional[Mapping[str, Any]]) -> dict[str, str]:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise TypeError("parameter_overrides must be a mapping of parameter name -> value")
    out = {}
    for name, value in overrides.items():
        if not isinstance(name, str):
            raise TypeError(f"parameter name {name!r} is not a str")
        out[name] = _constant(name, value)
    return out


def _constant(name: str, value: Any) -> str:
    """A parameter value in rule-language syntax."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_constant(name, v) for v in value) + "]"
    raise TypeError(f"parameter {name}: value {value!r} must be rule-language text "
                    f"(e.g. '450元'), an int, or a list of those")


def _find_entry(paths: Union[PathLike, Iterable[PathLike]], language: str) -> str:
    """The one entry rule file, found by the library (heyan::FindEntryRuleSet), as --rules is."""
    if isinstance(paths, (str, os.PathLike)):
        single = os.fspath(paths)
        if not os.path.isdir(single):
            return single  # a missing file is the compiler's diagnostic (RuleError), not ours
        paths = [single]
    if isinstance(paths, (bytes, Mapping)) or not isinstance(paths, Iterable):
        raise TypeError("paths must be a path or an iterable of paths")
    try:
        return _heyan.find_entry_rule_set([os.fspath(p) for p in paths], language)
    except _heyan.Error as e:
        raise HeyanError(e.args[1], e.args[0]) from None


# ---- evaluate --------------------------------------------------------------------------


def _to_wire(application: Any) -> Union[bytes, str]:
    """The form the C++ side parses: bytes = protobuf binary, str = protobuf JSON.

    Raises TypeError for a value that is no kind of application, ValueError for a dict that
    cannot be written as JSON.
    """
    if isinstance(application, _message.Message):
        name = application.DESCRIPTOR.full_name
        if name == "heyan.v1.VerificationRequest":
            # Marked as a request: binary bytes alone cannot tell the two apart.
            return ("request", application.SerializeToString())
        if name != "heyan.v1.Application":
            raise TypeError(f"expected a heyan.v1.Application or heyan.v1.VerificationRequest "
                            f"message, got {name}")
        return application.SerializeToString()
    if isinstance(application, bytes):
        return application
    if isinstance(application, (bytearray, memoryview)):
        return bytes(application)  # immutable copy: C++ reads it without the GIL
    if isinstance(application, Mapping):
        try:
            return json.dumps(application, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"not representable as protobuf JSON: {e}") from None
    if isinstance(application, str):
        return application
    raise TypeError(f"an application must be a heyan.v1.Application or VerificationRequest, "
                    f"serialized Application bytes, a dict in protobuf JSON form or JSON text, "
                    f"not {type(application).__name__}")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_of(as_of: Union[None, str, datetime.date]) -> str:
    if as_of is None:
        return ""
    if isinstance(as_of, datetime.datetime):
        raise TypeError("as_of must be a date, not a datetime")
    if isinstance(as_of, datetime.date):
        return as_of.isoformat()
    if not isinstance(as_of, str):
        raise TypeError("as_of must be 'YYYY-MM-DD', a datetime.date or None")
    if not _DATE.fullmatch(as_of):
        raise ValueError(f"as_of {as_of!r} is not a date YYYY-MM-DD")
    datetime.date.fromisoformat(as_of)  # ValueError for 2024-02-30
    return as_of


def _registries(registries: Optional["Registries"]):
    if registries is None:
        return None
    if not isinstance(registries, Registries):
        raise TypeError(f"registries must be a heyan.Registries or None, "
                        f"not {type(registries).__name__}")
    return registries._handle


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Program:
    """A compiled, immutable rule set. Made by :func:`compile`; share it freely between
    threads. It cannot be pickled: compile the rules where they are used (each Dask worker
    compiles once, see examples/dask_screening.py)."""

    __slots__ = ("_handle", "_warnings", "_declarations")

    def __init__(self, handle: Any, diagnostics: list[Diagnostic]) -> None:
        if not isinstance(handle, _heyan.Program):
            raise TypeError("use heyan.compile() to make a Program")
        self._handle = handle
        self._warnings = [d for d in diagnostics if d.severity == "warning"]
        self._declarations: Optional[list[Declaration]] = None

    @property
    def name(self) -> str:
        """Rule set name (规则集)."""
        return self._handle.name

    @property
    def version(self) -> str:
        """Rule set version (版本)."""
        return self._handle.version

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 over the rule sources, resolved parameter values and engine version;
        every Decision carries it as ``rules_fingerprint``."""
        return self._handle.fingerprint

    @property
    def declarations(self) -> list[Declaration]:
        """Every declaration, imported ones included, in file order."""
        if self._declarations is None:
            self._declarations = [Declaration(**d) for d in self._handle.declarations]
        return list(self._declarations)

    @property
    def warnings(self) -> list[Diagnostic]:
        """Warnings the compiler reported."""
        return list(self._warnings)

    def evaluate(self, application: ApplicationLike, registries: Optional["Registries"] = None,
                 as_of: Union[None, str, datetime.date] = None, trace: bool = False,
                 *, explain: bool = True) -> decision_pb2.Decision:
        """Decides one application, or one household with its own verification results.

        Args:
            application: a heyan.v1.Application, its serialized bytes, a dict in protobuf
                JSON form (field names as in the .proto or lowerCamelCase, enums by name) or
                protobuf JSON text; or a heyan.v1.VerificationRequest (application + its
                核对结果 + as_of), as a message, a dict or JSON text with a top-level
                "application" key.
            registries: verification data loaded for everyone; None means no registry was
                loaded, so a registry the rules read is "not checked" (missing evidence)
                unless the request's own checks cover it.
            as_of: evaluation date; default the application's as_of, else its
                application_date.
            trace: record every rule, value and parameter in ``Decision.trace``.
            explain: fill titles, citations, messages and values of reasons; screening runs
                that need only outcomes, rule ids and amounts may turn it off.

        Returns:
            The heyan.v1.Decision. Everything about the application (reasons, missing
            evidence, per-rule faults) is in it.

        Raises:
            EvaluationError: the application does not parse (unknown field, wrong type,
                malformed bytes).
            TypeError, ValueError: bad argument types or as_of.
        """
        try:
            wire = _to_wire(application)
        except ValueError as e:
            raise EvaluationError(str(e)) from None
        try:
            raw = _heyan.evaluate(self._handle, _registries(registries), wire, _as_of(as_of),
                                  bool(trace), bool(explain))
        except _heyan.Error as e:
            raise EvaluationError(e.args[1], e.args[0]) from None
        return decision_pb2.Decision.FromString(raw)

    def explain(self, application: ApplicationLike, registries: Optional["Registries"] = None,
                as_of: Union[None, str, datetime.date] = None, *, audience: str = "staff",
                format: str = "text", language: str = "zh") -> str:
        """Decides one application and explains the decision, as ``heyan explain`` does.

        Args:
            application, registries, as_of: as for :meth:`evaluate`.
            audience: "staff" (everything) or "applicant" (a plain letter that cites the
                articles and masks other people's data: IDs as 4101**********1234).
            format: "text", "json" or "html" (a self-contained printable page).
            language: "zh" (default) or "en".

        Raises:
            EvaluationError: the application does not parse.
            ValueError: an unknown audience, format or language.
        """
        try:
            wire = _to_wire(application)
        except ValueError as e:
            raise EvaluationError(str(e)) from None
        try:
            return _heyan.explain(self._handle, _registries(registries), wire, _as_of(as_of),
                                  audience, format, language)
        except _heyan.Error as e:
            raise EvaluationError(e.args[1], e.args[0]) from None

    def evaluate_many(self, applications: Iterable[ApplicationLike],
                      registries: Optional["Registries"] = None, threads: Optional[int] = None,
                      as_of: Union[None, str, datetime.date] = None, trace: bool = False,
                      *, explain: bool = True, batch_size: int = 65536,
                      progress: Optional[Callable[[int, Optional[int]], None]] = None,
                      ) -> list[Union[decision_pb2.Decision, EvaluationError]]:
        """Decides many applications in parallel, without the GIL.

        Each batch of ``batch_size`` applications is converted to wire form while holding
        the GIL, then decided on ``threads`` native threads with the GIL released, then
        turned into Decision messages. Results do not depend on ``threads``.

        Args:
            applications: any iterable of what :meth:`evaluate` accepts (read lazily, one
                batch at a time).
            threads: native threads; default the CPUs this process may use.
            registries, as_of, trace, explain: as for :meth:`evaluate`.
            progress: called after every batch as ``progress(done, total)``; ``total`` is
                ``len(applications)`` when it has one, else None.

        Returns:
            A list in input order holding, for each application, its Decision, or an
            :class:`EvaluationError` (not raised) with ``index`` set if that one could not be
            decided. Check with ``isinstance(r, heyan.EvaluationError)``.

        Raises:
            TypeError, ValueError: bad arguments (not bad records: those become entries).
        """
        return list(self.evaluate_iter(applications, registries, threads, as_of, trace, explain=explain,
                                       batch_size=batch_size, progress=progress))

    def evaluate_iter(self, applications: Iterable[ApplicationLike],
                      registries: Optional["Registries"] = None, threads: Optional[int] = None,
                      as_of: Union[None, str, datetime.date] = None, trace: bool = False,
                      *, explain: bool = True, batch_size: int = 4096,
                      progress: Optional[Callable[[int, Optional[int]], None]] = None,
                      ) -> Iterator[Union[decision_pb2.Decision, EvaluationError]]:
        """The streaming form of :meth:`evaluate_many`: a generator that yields each result in
        input order as its batch is decided, so a caseload larger than memory can be screened
        (memory holds one batch). Same arguments and results as :meth:`evaluate_many`."""
        if threads is None:
            threads = _default_threads()
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive int, not {threads!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")
        if isinstance(applications, (str, bytes, Mapping, _message.Message)):
            raise TypeError("applications must be an iterable of applications; "
                            "use evaluate() for a single one")
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable as progress(done, total)")
        total = len(applications) if hasattr(applications, "__len__") else None
        return self._evaluate_batches(applications, _registries(registries), threads, _as_of(as_of),
                                      bool(trace), bool(explain), batch_size, progress, total)

    def _evaluate_batches(self, applications, handle, threads, as_of_text, trace, explain, batch_size,
                          progress, total):
        done = 0
        batch: list[Optional[Union[bytes, str, tuple]]] = []
        failed: dict[int, EvaluationError] = {}  # conversion failures, by index in the batch

        def flush():
            raw = _heyan.evaluate_many(self._handle, handle, batch, threads, as_of_text, trace, explain)
            from_string = decision_pb2.Decision.FromString
            out = []
            for i, r in enumerate(raw):
                if isinstance(r, bytes):
                    out.append(from_string(r))
                elif r is None:
                    out.append(failed[i])
                else:
                    code, message, app_id = r
                    out.append(EvaluationError(message, code, done + i, app_id))
            return out

        for index, application in enumerate(applications):
            try:
                batch.append(_to_wire(application))
            except (TypeError, ValueError) as e:
                failed[len(batch)] = EvaluationError(str(e), "INVALID_ARGUMENT", index)
                batch.append(None)
            if len(batch) >= batch_size:
                results = flush()
                done += len(batch)
                batch.clear()
                failed.clear()
                if progress is not None:
                    progress(done, total)
                yield from results
        if batch:
            results = flush()
            done += len(batch)
            if progress is not None:
                progress(done, total)
            yield from results

    def __reduce__(self):
        raise TypeError("heyan.Program cannot be pickled: compile the rules where they are "
                        "used (see examples/dask_screening.py)")

    def __repr__(self) -> str:
        return f"<heyan.Program {self.name!r} version {self.version!r} {self.fingerprint[:12]}>"


# ---- decisions as rows -------------------------------------------------------------------

_OUTCOME_ZH = {"ELIGIBLE": "符合", "INELIGIBLE": "不符合", "NEEDS_REVIEW": "需复核", "MISSING_EVIDENCE": "缺少材料",
               "OUTCOME_UNSPECIFIED": ""}


def _yuan(fen: int) -> Decimal:
    """Fen as exact Decimal yuan with two places: 123456 -> Decimal('1234.56'), 0 -> Decimal('0.00')."""
    return Decimal(int(fen)).scaleb(-2)


def _decision_to_dict(self: decision_pb2.Decision) -> dict:
    """The decision as a plain dict for tables and JSON: money as exact Decimal yuan (zeros
    present, never missing), enums by name, the outcome also in Chinese, reasons with their
    titles, the checks the decision used."""
    amounts: dict[str, Any] = {}
    for a in self.amounts:
        amounts[a.name] = _yuan(a.fen) if a.value.endswith("元") or (a.fen and not a.value) else a.value
    outcome = decision_pb2.Outcome.Name(self.outcome)
    return {
        "application_id": self.application_id,
        "request_id": self.request_id,
        "outcome": outcome,
        "outcome_zh": _OUTCOME_ZH.get(outcome, ""),
        "benefit_yuan": _yuan(self.benefit_fen),
        "counted_income_yuan": _yuan(self.counted_income_fen),
        "per_capita_income_yuan": _yuan(self.per_capita_income_fen),
        "tier": self.tier,
        "covered_members": list(self.covered_members),
        "covered_count": len(self.covered_members),
        "reasons": [{"rule_id": r.rule_id, "title": r.title, "kind": decision_pb2.ReasonKind.Name(r.kind),
                     "message": r.message, "citation": r.citation} for r in self.reasons],
        "missing_evidence": [m.field for m in self.missing_evidence],
        "faults": [f"{f.rule_id}: {f.message}" for f in self.faults],
        "checks": [{"registry": c.registry_zh or c.registry, "checked_on": c.checked_on, "reference": c.reference,
                    "origin": decision_pb2.CheckUsed.Origin.Name(c.origin)} for c in self.checks],
        "amounts": amounts,
        "as_of": self.as_of,
        "ruleset": self.ruleset,
        "rules_fingerprint": self.rules_fingerprint,
    }


decision_pb2.Decision.to_dict = _decision_to_dict


def to_frame(results: Iterable[Union[decision_pb2.Decision, "EvaluationError"]]):
    """A pandas DataFrame with one row per result of :meth:`Program.evaluate_many` (or any
    iterable of Decisions), in order: application_id, outcome, outcome_zh, benefit_yuan,
    counted_income_yuan, per_capita_income_yuan (exact Decimal yuan, 0.00 rather than NaN),
    tier, covered_count, reason_ids, reasons (titles), missing_evidence, error (the message of
    an entry that could not be decided; empty otherwise). Needs pandas (Debian python3-pandas)."""
    import pandas  # imported here: the rest of heyan does not need it

    rows = []
    for r in results:
        if isinstance(r, EvaluationError):
            rows.append({"application_id": r.application_id or "", "outcome": "", "outcome_zh": "",
                         "benefit_yuan": None, "counted_income_yuan": None, "per_capita_income_yuan": None,
                         "tier": "", "covered_count": 0, "reason_ids": "", "reasons": "", "missing_evidence": "",
                         "error": r.message})
            continue
        d = r.to_dict()
        rows.append({"application_id": d["application_id"], "outcome": d["outcome"], "outcome_zh": d["outcome_zh"],
                     "benefit_yuan": d["benefit_yuan"], "counted_income_yuan": d["counted_income_yuan"],
                     "per_capita_income_yuan": d["per_capita_income_yuan"], "tier": d["tier"],
                     "covered_count": d["covered_count"],
                     "reason_ids": "；".join(x["rule_id"] for x in d["reasons"]),
                     "reasons": "；".join(f"{x['rule_id']} {x['title']}".strip() for x in d["reasons"]),
                     "missing_evidence": "；".join(d["missing_evidence"]), "error": ""})
    columns = ["application_id", "outcome", "outcome_zh", "benefit_yuan", "counted_income_yuan",
               "per_capita_income_yuan", "tier", "covered_count", "reason_ids", "reasons", "missing_evidence", "error"]
    return pandas.DataFrame(rows, columns=columns)


# ---- registries ------------------------------------------------------------------------

_FORMATS = {None: 0, "auto": 0, "jsonl": 1, "json": 1, "binary": 2, "pb": 2, "bin": 2,
            "csv": 3, "ids": 4, "txt": 4, "id_list": 4}


class Registries:
    """Verification data (核对数据) that applications are checked against.

    Each registry is a field of heyan.v1.Registries, named in English
    (``"public_payroll_staff"``) or Chinese (``"财政供养人员"``); see
    proto/heyan/v1/registry.proto. Records are indexed by resident ID number.

    Loading methods return ``self`` so calls chain. Errors raise :class:`DataError`:
    ``code`` is ``"NOT_FOUND"`` for an unknown registry name or a missing file and
    ``"INVALID_ARGUMENT"`` for a malformed record ("file:line: field: problem"); nothing of
    a failed call is loaded.
    """

    __slots__ = ("_handle",)

    def __init__(self) -> None:
        self._handle = _heyan.Registries()

    def load(self, name: str, path: PathLike, format: Optional[str] = None, *,
             checked_on: Union[None, str, datetime.date] = None, reference: str = "",
             source: str = "") -> "Registries":
        """Loads a file into registry ``name``, adding to what is loaded already, and marks
        the registry checked for everyone: on ``checked_on`` (default: the file's
        modification date), under ``reference`` (default: the file name and size), from
        ``source``. Decisions list this check in ``Decision.checks``.

        ``format``: None or "auto" (from the extension: .jsonl/.json, .pb/.bin, .csv, else
        one ID per line), "jsonl" (protobuf JSON lines), "binary" (length-delimited
        protobuf), "csv" (header row of field names, English or Chinese) or "ids".
        """
        if format not in _FORMATS:
            raise ValueError(f"unknown registry format {format!r}; "
                             f"use one of {sorted(k for k in _FORMATS if k)}")
        with _data_errors():
            self._handle.load(_name(name), os.fspath(path), _FORMATS[format], _as_of(checked_on),
                              str(reference), str(source))
        return self

    def mark_checked(self, name: str, checked_on: Union[str, datetime.date], reference: str,
                     source: str = "") -> "Registries":
        """States that registry ``name`` was checked for everyone, on ``checked_on`` under
        ``reference`` (both required). Records added with :meth:`add_ids` or
        :meth:`add_records` count only once the registry is marked checked: until then,
        looking a person up in it is missing evidence ("未核对"), never "no record"."""
        if not reference:
            raise ValueError("a check needs a reference (核对批次)")
        with _data_errors():
            self._handle.mark_checked(_name(name), _as_of(checked_on), str(reference), str(source))
        return self

    def check(self, name: str) -> Optional[dict]:
        """The check of registry ``name`` as a dict (checked_on, reference, source), or None
        when it was never checked."""
        with _data_errors():
            c = self._handle.check(_name(name))
        return None if c is None else {"checked_on": c[0], "reference": c[1], "source": c[2]}

    def add_ids(self, name: str, ids: Iterable[str]) -> "Registries":
        """Adds ID numbers with otherwise empty records (as an "ids" file would)."""
        if isinstance(ids, (str, bytes)):
            raise TypeError("ids must be an iterable of ID numbers, not a single string")
        ids = list(ids)
        for i in ids:
            if not isinstance(i, str):
                raise TypeError(f"ID number {i!r} is not a str")
        with _data_errors():
            self._handle.add_ids(_name(name), ids)
        return self

    def add_records(self, name: str, records: Iterable[Any]) -> "Registries":
        """Adds records of the registry's record type (e.g. heyan.v1.PayrollStaffRecord for
        "public_payroll_staff"): messages, their serialized bytes, or dicts in protobuf
        JSON form. Every record needs an ``id_number``."""
        wire = []
        for r in records:
            if isinstance(r, _message.Message):
                wire.append(r.SerializeToString())
            elif isinstance(r, (bytes, bytearray, memoryview)):
                wire.append(bytes(r))
            elif isinstance(r, Mapping):
                wire.append(json.dumps(r, ensure_ascii=False))
            else:
                raise TypeError(f"a record must be a message, bytes or dict, "
                                f"not {type(r).__name__}")
        with _data_errors():
            self._handle.add_records(_name(name), wire)
        return self

    def size(self, name: str) -> int:
        """Number of records in registry ``name``. Raises DataError for an unknown name."""
        with _data_errors():
            return self._handle.size(_name(name))

    @staticmethod
    def names() -> list[str]:
        """English names of every registry the data model defines."""
        return list(_heyan.Registries.names())

    def __repr__(self) -> str:
        loaded = {n: self._handle.size(n) for n in _heyan.Registries.names()}
        return "<heyan.Registries " + ", ".join(f"{n}={k}" for n, k in loaded.items() if k) + ">"


def _name(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"registry name must be a str, not {type(name).__name__}")
    return name


class _data_errors:
    """Turns _heyan.Error into DataError inside a with-block."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, _heyan.Error):
            raise DataError(exc.args[1], exc.args[0]) from None
        return False
