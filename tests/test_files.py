import pytest

from digest.files import stage, write_atomically


def test_a_file_is_written_whole_and_its_folder_made(tmp_path):
    path = tmp_path / "new" / "2026-08-03.json"
    write_atomically(path, b"[1]\n")
    write_atomically(path, "ü\n".encode("utf-8"))
    assert path.read_bytes() == "ü\n".encode("utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["2026-08-03.json"]


def test_a_staged_file_waits_beside_its_target_until_replaced(tmp_path):
    path = tmp_path / "paper.yaml"
    path.write_text("old\n")
    tmp = stage(path, b"new\n")
    assert tmp.parent == tmp_path and tmp.name.startswith(".paper.") and tmp.suffix == ".tmp"
    assert (path.read_text(), tmp.read_text()) == ("old\n", "new\n")


@pytest.mark.parametrize("write", [stage, write_atomically])
def test_a_failed_write_leaves_the_target_as_it_was_and_no_temporary_file(tmp_path, write):
    path = tmp_path / "paper.yaml"
    path.write_text("old\n")
    with pytest.raises(TypeError):
        write(path, "text, not bytes")
    assert [p.name for p in tmp_path.iterdir()] == ["paper.yaml"]
    assert path.read_text() == "old\n"
