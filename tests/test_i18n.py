"""English and French: the catalog is complete and compiled, and the language is chosen as asked."""

from __future__ import annotations

import ast
import gettext
import string
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from orderdesk import i18n, strings
from orderdesk.cli.commands import cli
from orderdesk.core.store import Store
from tests.record_factory import T0, failed_request, request

PACKAGE = Path(i18n.__file__).parent
FRENCH_PO = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "orderdesk.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")
#: The keywords pybabel extract is given (README: -k N_ -k P_:1c,2).
KEYWORDS = {"N_": None, "P_": ((1, "c"), 2)}


def extracted() -> set[tuple[str | None, str]]:
    """Every (context, msgid) marked in the source, found the way pybabel finds them."""
    found: set[tuple[str | None, str]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        assert isinstance(message, str), f"no plurals are marked: {message}"
        found.add((context, message))
    return found


class TestTheFrenchCatalog:
    def test_every_marked_sentence_is_translated(self) -> None:
        marked = extracted()
        assert ("key", "Order") in marked and (None, "Requests") in marked
        with FRENCH_PO.open("rb") as po:
            catalog = read_po(po)
        translated = {
            (message.context, message.id): message
            for message in catalog
            if message.id and message.string and not message.fuzzy
        }
        missing = sorted(marked - set(translated), key=str)
        assert not missing, f"untranslated in {FRENCH_PO.name} (see README, Languages): {missing}"

    def test_the_compiled_catalog_matches_the_po(self) -> None:
        with FRENCH_PO.open("rb") as po:
            catalog = read_po(po)
        with FRENCH_MO.open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        stale = []
        for message in catalog:
            if not message.id:
                continue
            assert isinstance(message.id, str), f"no plurals are marked: {message.id}"
            if message.context:
                found = compiled.pgettext(message.context, message.id)
            else:
                found = compiled.gettext(message.id)
            if found != message.string:
                stale.append(message.id)
        assert not stale, f"{FRENCH_MO.name} is stale (run pybabel compile): {stale[:5]}"

    def test_placeholders_are_the_same_in_both_languages(self) -> None:
        def fields(text: str) -> set[str]:
            return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

        def sentences() -> dict[str, str]:
            shown: dict[str, str] = {}
            for name in strings.names():
                value = getattr(strings, name)
                if isinstance(value, str):
                    shown[name] = value
                elif isinstance(value, dict):
                    shown.update({f"{name}[{key}]": text for key, text in value.items()})
            return shown

        english = sentences()
        with i18n.speaking("fr"):
            french = sentences()
        assert english.keys() == french.keys()
        differ = [name for name in english if fields(english[name]) != fields(french[name])]
        assert not differ, f"placeholders differ in French: {differ}"
        assert english["ROWS_EXACT"] != french["ROWS_EXACT"]  # the French was really read


class TestChoosingTheLanguage:
    @pytest.mark.parametrize(
        ("explicit", "setting", "environ", "chosen"),
        [
            (None, None, {"LANG": "fr_FR.UTF-8"}, "fr"),
            (None, None, {"LANG": "fr_CA"}, "fr"),
            (None, None, {"LC_MESSAGES": "fr", "LANG": "en_GB.UTF-8"}, "fr"),
            (None, None, {"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),
            (None, None, {"LC_ALL": "POSIX", "LANG": "fr_FR.UTF-8"}, "en"),
            (None, None, {"LANG": "fr_FR@euro"}, "fr"),
            (None, "fr-CA", {}, "fr"),
            ("FR", None, {}, "fr"),
            (None, None, {"LANG": "de_DE.UTF-8"}, "en"),
            (None, None, {}, "en"),
            (None, "fr", {"LANG": "C.UTF-8"}, "fr"),
            ("en", "fr", {"LANG": "fr_FR.UTF-8"}, "en"),
            ("fr", None, {"LANG": "en_US.UTF-8"}, "fr"),
        ],
    )
    def test_choice(
        self, explicit: str | None, setting: str | None, environ: dict[str, str], chosen: str
    ) -> None:
        assert i18n.choose(explicit, setting, environ) == chosen

    def test_lang_in_the_environment_makes_the_help_french(self) -> None:
        result = CliRunner().invoke(cli, ["--help"], env={"LANG": "fr_FR.UTF-8"})
        assert result.exit_code == 0, result.output
        assert "Utilisation :" in result.output
        assert "Affiche ce message et quitte." in result.output
        assert "Affiche la version et quitte." in result.output
        assert "Liste les demandes, les plus récentes d'abord." in result.output

    def test_help_speaks_each_invocation_s_language(self) -> None:
        """Click keeps its --help option once made: its line still follows the language."""
        runner = CliRunner()
        english = runner.invoke(cli, ["--help"], env={"LANG": "C"})
        french = runner.invoke(cli, ["--help"], env={"LANG": "fr_FR.UTF-8"})
        assert "Show this message and exit." in english.output
        assert "Affiche ce message et quitte." in french.output

    def test_the_flag_overrides_the_environment(self) -> None:
        runner = CliRunner()
        english = runner.invoke(cli, ["--lang", "en", "order", "--help"], env={"LANG": "fr_FR"})
        assert "Usage:" in english.output and "Time zone for the table" in english.output
        french = CliRunner().invoke(cli, ["--lang", "fr", "order", "--help"], env={"LANG": "C"})
        assert "Fuseau horaire du tableau" in french.output

    def test_the_setting_overrides_the_locale(self) -> None:
        result = CliRunner().invoke(cli, ["--help"], env={"ORDERDESK_LANG": "fr", "LANG": "C"})
        assert "Options:" in result.output and "La liste à ouvrir." in result.output

    def test_a_usage_error_in_french(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(
            cli, ["--lang", "fr", "requests", "--db", str(tmp_path / "s.db"), "--status", "lost"]
        )
        assert "n'est pas parmi" in str(result.exception)


class TestTheCommandLineInFrench:
    def test_a_table_and_an_order_report_in_french(self, tmp_path: Path) -> None:
        db = str(tmp_path / "store.db")
        with Store.open(db) as store:
            store.save_page("requests", [request(1, at=T0), failed_request(2, at=T0)], None)
        runner = CliRunner()
        listed = runner.invoke(cli, ["--lang", "fr", "requests", "--db", db, "--tz", "UTC"])
        assert listed.exit_code == 0, listed.output
        assert "HEURE" in listed.output and "RÉFÉRENCE COMMANDE" in listed.output
        assert T0.strftime("%d/%m/%Y %H:%M") in listed.output
        assert "succeeded" in listed.output  # a status is data, never translated
        report = runner.invoke(cli, ["--lang", "fr", "order", "ORD-2", "--db", db, "--tz", "UTC"])
        assert report.exit_code == 0, report.output
        assert "ENREGISTREMENT" in report.output and "demande" in report.output
        assert "constats (1) :" in report.output


class TestFormatsInFrench:
    def test_numbers_use_the_french_separators(self) -> None:
        with i18n.speaking("fr"):
            assert strings.ROWS_EXACT.format(count=3108) == "3\u202f108 résultats"
            done = strings.SYNC_DONE.format(fetched=12000, new=5, updated=0, seconds=1.25)
            assert "12\u202f000 rapatriés" in done and "en 1,2 s" in done
            assert i18n.format_number(0.5, "g") == "0,5"
        assert strings.ROWS_EXACT.format(count=3108) == "3,108 records"

    def test_english_numbers_need_no_babel_and_read_as_babel_writes_them(self) -> None:
        # A fresh process, as a console starting: the first number it shows loads nothing.
        program = (
            "import sys; from orderdesk import i18n; "
            "print(i18n.format_number(1234567.5, ',.1f'), 'babel.numbers' in sys.modules)"
        )
        shown = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        ).stdout.split()
        assert shown == ["1,234,567.5", "False"]
        from babel.numbers import format_decimal

        assert format_decimal(1234567.5, format="#,##0.0", locale="en") == shown[0]

    def test_dates_put_the_day_first(self) -> None:
        moment = datetime(2026, 11, 20, 13, 5, 9, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
        assert i18n.format_moment(moment) == "2026-11-20 14:05:09"
        with i18n.speaking("fr"):
            assert i18n.format_moment(moment) == "20/11/2026 14:05:09"
            assert i18n.format_moment(moment, "day_seconds") == "20/11 14:05:09"
            assert i18n.format_moment(moment, "clock") == "14:05:09"

    def test_data_is_never_translated(self) -> None:
        with i18n.speaking("fr"):
            assert strings.CHIP_STATUS.format(statuses="failed") == "statut : failed"


# -- no English sentence slips past the catalog --------------------------------------------

_SHOWN_KEYWORDS = ("placeholder", "title", "description", "label", "tooltip", "help")
_SHOWING_CALLS = (
    *("Label", "Static", "Button", "notify", "Prompt", "Option", "SystemCommand"),
    *("echo", "say", "out"),
    *("InputError", "StoreError", "SchemaVersionError", "ViewsError", "FilterSyntaxError"),
    *("SourceError", "TransientSourceError", "NotALogApiError", "AuthenticationError"),
)


def _words(node: ast.AST) -> bool:
    """A literal a person would read: a string (or f-string) with a word in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(part.isalpha() and len(part) > 1 for part in node.value.split())
    return isinstance(node, ast.JoinedStr) and any(_words(value) for value in node.values)


def literal_sentences(source: str) -> list[str]:
    """Sentences written straight into UI code instead of being read from strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        shown = []
        if name == "Binding" and len(node.args) >= 3:
            shown.append(node.args[2])
        elif name in _SHOWING_CALLS and node.args:
            shown.append(node.args[0])
        shown += [kw.value for kw in node.keywords if kw.arg in _SHOWN_KEYWORDS]
        found += [ast.unparse(arg) for arg in shown if _words(arg)]
    return found


def test_the_scan_finds_a_literal_sentence() -> None:
    source = (
        'Binding("q", "quit", "Quit")\n'
        'self.notify(f"saved {path}")\n'
        'Input(placeholder="Type here")\n'
        'Binding("q", "quit", strings.KEY_QUIT)\n'
        'raise InputError(f"{flag} is wrong")\n'
        'click.option("--x", help="Does x.")\n'
    )
    assert literal_sentences(source) == [
        "'Quit'",
        "f'saved {path}'",
        "'Type here'",
        "f'{flag} is wrong'",
        "'Does x.'",
    ]


def test_every_sentence_for_people_comes_from_strings() -> None:
    """Screens, click help, echoed lines and the errors people are shown."""
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = literal_sentences(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert not offenders, f"user-facing text outside strings.py: {offenders}"


def test_each_sentence_is_named_once() -> None:
    """Two sentences under one name: the later silently replaces the earlier, in both languages."""
    import ast
    from collections import Counter
    from pathlib import Path

    import orderdesk

    source = Path(orderdesk.__file__).with_name("strings.py").read_text(encoding="utf-8")
    names = Counter(
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    )
    assert [name for name, times in names.items() if times > 1] == []
