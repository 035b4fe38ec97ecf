"""What an import says to a person never names the server's paths or Python's objects: every
message made in any test is checked (tests/conftest.py), and here the check is shown to work."""

from tests.conftest import _IMPORT_LEAKS

from finance_tracker.importers import ImportFileError, RowProblem, SkippedRecord


def test_every_import_message_is_noted_and_a_leaking_one_is_caught(import_messages):
    ImportFileError("Invalid OFX header - <_io.BufferedReader name='/srv/uploads/imports/9bb6'>")
    RowProblem(3, "the amount is zero")
    SkippedRecord(4, "BUYSTOCK", "this tracker records cash, not holdings")
    assert len(import_messages) == 3
    assert [bool(_IMPORT_LEAKS.search(m)) for m in import_messages] == [True, False, False]
    import_messages.clear()  # checked here: the autouse check would fail this test otherwise
