"""The stable codes of the problems `digest check` (and every command reading the
library) reports. CONTRIBUTING.md documents each one; a test keeps them in step.
themes.yml's own problems are T0xx, from digest/themes.py; ingest's dump
warnings are W1xx, from digest/dumps.py."""

YAML_SYNTAX = "Y001"
DUPLICATE_KEY = "Y002"
UNSUPPORTED_YAML = "Y003"
ALIAS = "Y004"
TAB = "Y005"
COMMENT_IN_TEXT = "Y006"
MISSING_FIELD = "S001"
WRONG_TYPE = "S002"
UNKNOWN_KEY = "S003"
OUT_OF_RANGE = "S004"
UNKNOWN_THEME = "S005"
INVALID_DATE = "D001"
UNREADABLE_FILE = "F001"
NOT_A_PAPER_FILE = "F002"
ID_NOT_FILE_NAME = "I001"
DUPLICATE_PAPER = "I002"
NOT_HOUSE_STYLE = "W001"
IGNORED_FILE = "W002"
