"""`flask content import-gift` and `export-gift`: whole files or nothing, lines named."""
from pathlib import Path

from sqlalchemy import func, select

from app.assessments.models import QuestionBank, QuestionRevision

SAMPLES = Path(__file__).resolve().parents[1] / "unit" / "gift_samples"

GOOD = """// A small bank brought over from Moodle
$CATEGORY: detainers

::hold-limit::How many hours beyond release may a jail hold a person on Form I-247A? {#48}

::warrant-kinds::Which form is an ICE administrative arrest warrant? {=I-200 ~I-130 ~I-94}

::tf-detainer::A detainer is a request, not a command.{T}
"""


def count(db, model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_import_then_export_round_trip(runner, db, tmp_path):
    gift = tmp_path / "moodle-detainers.gift"
    gift.write_text(GOOD)
    result = runner.invoke(args=["content", "import-gift", str(gift), "--subject", "immigration-law"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 questions imported"
    bank = db.session.execute(select(QuestionBank)).scalar_one()
    assert (bank.key, bank.origin, bank.subject) == ("moodle-detainers", "gift", "immigration-law")
    out = tmp_path / "out.gift"
    result = runner.invoke(args=["content", "export-gift", "moodle-detainers", str(out)])
    assert result.exit_code == 0 and "wrote 3 questions" in result.output
    assert "::hold-limit::" in out.read_text() and "{#48}" in out.read_text()
    # Importing again changes nothing.
    again = runner.invoke(args=["content", "import-gift", str(gift)])
    assert again.exit_code == 0 and count(db, QuestionRevision) == 3


def test_a_malformed_block_imports_nothing_and_names_its_line(runner, db, tmp_path):
    gift = tmp_path / "broken.gift"
    gift.write_text(GOOD + "\n::bad::Unclosed answer set {=yes ~no\n")
    result = runner.invoke(args=["content", "import-gift", str(gift), "--subject", "immigration-law"])
    assert result.exit_code == 1
    assert f"{gift}:10: question 'bad': unclosed brace" in result.output and "nothing was imported" in result.output
    assert count(db, QuestionRevision) == 0 and count(db, QuestionBank) == 0


def test_new_bank_needs_a_subject(runner, tmp_path):
    gift = tmp_path / "x.gift"
    gift.write_text(GOOD)
    result = runner.invoke(args=["content", "import-gift", str(gift)])
    assert result.exit_code == 1 and "--subject" in result.output


def test_moodle_documentation_examples_report_the_unsupported_ones(runner, db):
    result = runner.invoke(args=["content", "import-gift", str(SAMPLES / "moodle_docs.gift"),
                                 "--subject", "immigration-law"])
    assert result.exit_code == 1
    assert "essay" in result.output and count(db, QuestionRevision) == 0


def test_export_a_content_bank_and_import_it_as_a_new_bank(runner, make, db, tmp_path):
    make.course_world()
    out = tmp_path / "use-of-force.gift"
    assert runner.invoke(args=["content", "export-gift", "use-of-force", str(out)]).exit_code == 0
    # The same question keys cannot live in two banks: re-keyed copies import whole.
    out.write_text(out.read_text().replace("::uf-q", "::copy-uf-q"))
    result = runner.invoke(args=["content", "import-gift", str(out), "--bank", "uf-copy",
                                 "--subject", "use-of-force"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "32 questions imported"
    original = {r.question_key: r.spec for r in db.session.execute(select(QuestionRevision)).scalars()
                if r.question_key.startswith("uf-q")}
    copies = {r.question_key: r.spec for r in db.session.execute(select(QuestionRevision)).scalars()
              if r.question_key.startswith("copy-uf-q")}
    assert len(copies) == 32
    for key, spec in copies.items():
        assert spec.get("answers") == original[key[len("copy-"):]].get("answers")
