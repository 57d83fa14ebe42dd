from digest.ids import new_paper_id, slugify, title_hash, title_key


def test_title_key_ignores_case_unicode_forms_and_whitespace():
    assert title_key("  Ｆｏｏ   BAR\tbaz ") == title_key("foo bar baz") == "foo bar baz"


def test_slugify():
    assert slugify("Countermind: A Multi-Layered Security!") == "countermind-a-multi-layered-security"
    assert slugify("Café Δ-Net") == "cafe-net"
    assert slugify("αβγ") == "paper"
    long = slugify("word " * 40)
    assert len(long) <= 80 and not long.endswith("-") and long.endswith("word")


def test_new_paper_id_resolves_collisions_by_title_hash():
    assert new_paper_id("A B", set()) == "a-b"
    assert new_paper_id("A: B", {"a-b"}) == f"a-b-{title_hash('A: B')}"
    assert title_hash("A: B") != title_hash("A B")
