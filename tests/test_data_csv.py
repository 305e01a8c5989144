"""load_csv: spreadsheet exports load first time; bad input gives one precise line."""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnviz.data import MAX_CSV_BYTES, load_csv, prepare
from nnviz.errors import ConfigError, DataError


def write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# ---------------------------------------------------------------- files that must load


def test_spreadsheet_export_loads_first_time(tmp_path):
    content = (
        '\ufeff"height (cm)";"weight (kg)";"species"\r\n'
        '"170.5";"65";"cat"\r\n'
        '"180";" 80.25 ";"dog"\r\n'
        '"-3.5e2";"0.001";"cat"\r\n'
        "\r\n\r\n"
    )
    ds = load_csv(write(tmp_path, content, "export.csv"))
    assert ds.name == "export"
    assert ds.feature_names == ("height (cm)", "weight (kg)")
    assert ds.target_name == "species" and ds.class_names == ("cat", "dog")
    assert ds.task == "binary"
    assert ds.X.tolist() == [[170.5, 65.0], [180.0, 80.25], [-350.0, 0.001]]
    assert ds.Y.tolist() == [[0.0], [1.0], [0.0]]
    p = prepare(ds, scaling="standard")
    assert p.X_train.shape == (3, 2)


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiters_sniffed_and_chosen(tmp_path, delim):
    rows = [["a", "b", "t"], ["1", "2.5", "0.5"], ["3", "-4", "1.25"]]
    path = write(tmp_path, "\n".join(delim.join(r) for r in rows) + "\n")
    for d in (None, delim):
        ds = load_csv(path, delimiter=d)
        assert ds.feature_names == ("a", "b") and ds.task == "regression"
        assert ds.X.tolist() == [[1, 2.5], [3, -4]] and ds.Y.tolist() == [[0.5], [1.25]]


def test_surrounding_spaces_quotes_and_crlf(tmp_path):
    path = write(tmp_path, ' x , "y",  z \r\n  1 ,"2",  3.5\r\n 4, " 5 ",6.25 \r\n')
    ds = load_csv(path)
    assert ds.feature_names == ("x", "y") and ds.target_name == "z"
    assert ds.X.tolist() == [[1, 2], [4, 5]] and ds.Y.tolist() == [[3.5], [6.25]]


def test_target_by_name_and_index(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3.5\n4,5,6.5\n")
    by_name = load_csv(path, target="a", task="regression")
    assert by_name.feature_names == ("b", "c") and by_name.Y[:, 0].tolist() == [1, 4]
    by_index = load_csv(path, target=1, task="regression")
    assert by_index.target_name == "b" and by_index.X.tolist() == [[1, 3.5], [4, 6.5]]
    assert load_csv(path, target=-1).target_name == "c"


@pytest.mark.parametrize("targets, task, expect_task, expect_shape, names", [
    (["0", "1", "1", "0"], None, "binary", (4, 1), ("0", "1")),
    (["1", "2", "3", "1"], None, "multiclass", (4, 3), ("1", "2", "3")),
    (["2", "1", "2", "1"], None, "binary", (4, 1), ("1", "2")),
    (["0.5", "1", "2", "3"], None, "regression", (4, 1), ()),
    (["0", "1", "1", "0"], "regression", "regression", (4, 1), ()),
    (["0", "1", "1", "0"], "multiclass", "multiclass", (4, 2), ("0", "1")),
    (["b", "a", "c", "a"], "classification", "multiclass", (4, 3), ("a", "b", "c")),
    (["yes", "no", "no", "yes"], None, "binary", (4, 1), ("no", "yes")),
    (["1", "cat", "1", "cat"], "binary", "binary", (4, 1), ("1", "cat")),
])
def test_task_inference_and_override(tmp_path, targets, task, expect_task, expect_shape, names):
    body = "".join(f"{i},{i * 2},{t}\n" for i, t in enumerate(targets))
    ds = load_csv(write(tmp_path, "x,y,target\n" + body), task=task)
    assert ds.task == expect_task and ds.Y.shape == expect_shape and ds.class_names == names


def test_binary_labels_follow_sorted_class_names(tmp_path):
    ds = load_csv(write(tmp_path, "x,y,label\n0,0,2\n1,1,1\n2,2,2\n"))
    assert ds.class_names == ("1", "2") and ds.Y[:, 0].tolist() == [1, 0, 1]


def test_many_integer_values_are_regression(tmp_path):
    body = "".join(f"{i},{i}\n" for i in range(11))
    assert load_csv(write(tmp_path, "x,y\n" + body)).task == "regression"
    body = "".join(f"{i},{i % 10}\n" for i in range(30))
    assert load_csv(write(tmp_path, "x,y\n" + body)).task == "multiclass"


def test_size_limit_constant_and_override(tmp_path):
    assert MAX_CSV_BYTES == 50 * 1024 * 1024
    path = write(tmp_path, "x,y\n1,2.5\n3,4.5\n")
    assert load_csv(path, max_bytes=100).n_samples == 2


# ---------------------------------------------------------------- files that must not load

BAD = [
    ("empty", b"", {}, "{f}: empty file"),
    ("only blank lines", b"\r\n \n\n", {}, "{f}: empty file"),
    ("bom only", b"\xef\xbb\xbf", {}, "{f}: empty file"),
    ("header only", b"x,y\n", {}, "{f}: header only: no data rows"),
    ("header and blank lines", b"x,y\r\n\r\n\r\n", {}, "{f}: header only: no data rows"),
    ("short row", b"a,b,c\n1,2,3\n4,5\n", {},
     "{f}: line 3: short row: 2 fields, expected 3 (a, b, c)"),
    ("long row", b"a,b\n1,2\n3,4,5\n", {}, "{f}: line 3: long row: 3 fields, expected 2 (a, b)"),
    ("trailing delimiter", b"a,b\n1,2,\n", {},
     "{f}: line 2: long row: 3 fields, expected 2 (a, b)"),
    ("non-numeric", b"x,y\n1,0\nabc,1\n", {}, "{f}: line 3, column 'x': not a number: 'abc'"),
    ("underscore digits", b"x,y\n1_000,0\n2,1\n", {},
     "{f}: line 2, column 'x': not a number: '1_000'"),
    ("hex", b"x,y,z\n1,0x1F,0\n", {}, "{f}: line 2, column 'y': not a number: '0x1F'"),
    ("decimal comma", b"x;y;z\n1,5;2;0\n1;2;1\n", {},
     "{f}: line 2, column 'x': not a number (decimal comma? write 1.5, not 1,5): '1,5'"),
    ("blank cell", b"x,y,z\n1,,0\n", {}, "{f}: line 2, column 'y': blank cell: ''"),
    ("quoted blank cell", b'x,y,z\n1," ",0\n', {}, "{f}: line 2, column 'y': blank cell: ''"),
    ("blank target", b"x,y,z\n1,2,0\n1,2,\n", {}, "{f}: line 3, column 'z': blank cell: ''"),
    ("nan", b"x,y\nnan,1\n2,0\n", {}, "{f}: line 2, column 'x': not a finite number: 'nan'"),
    ("inf", b"x,y,z\n1,-Infinity,0\n", {},
     "{f}: line 2, column 'y': not a finite number: '-Infinity'"),
    ("nan target", b"x,y\n1,1.5\n2,NaN\n", {},
     "{f}: line 3, column 'y': not a finite number: 'NaN'"),
    ("overflow", b"x,y\n1e999,1\n2,0\n", {},
     "{f}: line 2, column 'x': number out of range: '1e999'"),
    ("duplicate names", b"a,b,a\n1,2,3\n", {},
     "{f}: line 1, column 'a': duplicate column name (also column 1)"),
    ("blank name", b"x,,y\n1,2,3\n", {}, "{f}: line 1, column 2: blank column name in the header"),
    ("blank first line", b"\nx,y\n1,2\n", {},
     "{f}: line 1: the first line is blank: it must be the header row"),
    ("undecodable", b"x,name,y\n1,2,0\n3,caf\xe9,1\n", {},
     "{f}: line 3, column 'name': not UTF-8 text (save the file as UTF-8): b'\\xe9'"),
    ("latin-1 header", b"caf\xe9,y\n1,2\n", {},
     "{f}: line 1: not UTF-8 text (save the file as UTF-8): b'\\xe9'"),
    ("nul byte", b"x,y\n1,\x002\n", {}, "{f}: line 2: NUL byte in text (is this a binary file?)"),
    ("bad quoting", b'x,y\n1,2\n"1"2,0\n', {},
     "{f}: line 3: unreadable CSV (',' expected after '\"')"),
    ("space after closing quote", b'x,y\n"1" ,2\n', {},
     "{f}: line 2: unreadable CSV (',' expected after '\"')"),
    ("single column", b"x\n1\n2\n", {},
     "{f}: line 1, column 'x': only one column (delimiter ','); "
     "need at least one feature and a target"),
    ("too large", b"x,y\n1,2\n3,4\n", {"max_bytes": 10},
     "{f}: file is 12 bytes, over the limit of 10 bytes (pass max_bytes= to raise it)"),
    ("one class", b"x,y\n1,0\n2,0\n", {}, "{f}: target 'y' has one class: need at least 2: '0'"),
    ("one text class", b"x,y\n1,cat\n2,cat\n", {},
     "{f}: target 'y' has one class: need at least 2: 'cat'"),
    ("blank line inside", b"x,y\n1,0\n\n2,1\n", {},
     "{f}: line 3: blank line in the middle of the data (data goes on at line 4)"),
    ("spaces line inside", b"x,y\r\n1,0\r\n   \r\n2,1\r\n", {},
     "{f}: line 3: blank line in the middle of the data (data goes on at line 4)"),
    ("mixed target", b"x,y\n1,0\n2,1\n3,cat\n", {},
     "{f}: line 4, column 'y': mixed numbers and text in the target column "
     "(pass task='multiclass' or 'binary' to read it as class labels): 'cat'"),
    ("text for regression", b"x,y\n1,0.5\n2,cat\n", {"task": "regression"},
     "{f}: line 3, column 'y': not a number: 'cat'"),
    ("binary with 3 classes", b"x,y\n1,0\n2,1\n3,2\n", {"task": "binary"},
     "{f}: task 'binary' needs 2 classes, target 'y' has 3 (0, 1, 2)"),
    ("unknown target", b"x,y\n1,0\n2,1\n", {"target": "z"},
     "{f}: no column named 'z' (columns: x, y)"),
    ("target index", b"x,y\n1,0\n2,1\n", {"target": 2},
     "{f}: target index 2 out of range for 2 columns"),
    ("text feature", b"x,y,z\n1,red,0\n2,blue,1\n", {},
     "{f}: line 2, column 'y': not a number: 'red'"),
]


@pytest.mark.parametrize("content, kwargs, expected", [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_bad_input_message(tmp_path, content, kwargs, expected):
    path = write(tmp_path, content)
    with pytest.raises(DataError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert message == expected.format(f=path)
    assert "\n" not in message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError, match=r"nope\.csv: cannot read file \(No such file"):
        load_csv(path)


@pytest.mark.parametrize("kwargs, match", [
    ({"task": "clustering"}, "task must be one of"),
    ({"delimiter": ",,"}, "delimiter must be one character"),
    ({"delimiter": '"'}, "delimiter must be one character"),
    ({"target": 1.5}, "target must be a column name or index"),
    ({"target": True}, "target must be a column name or index"),
])
def test_bad_arguments_are_config_errors(tmp_path, kwargs, match):
    path = write(tmp_path, "x,y\n1,0\n2,1\n")
    with pytest.raises(ConfigError, match=match):
        load_csv(path, **kwargs)


# ---------------------------------------------------------------- properties

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
grids = arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(2, 5)), elements=finite)
FORMATS = st.sampled_from([(",", "\n", False), (";", "\r\n", True), ("\t", "\n", True),
                           ("|", "\r\n", False)])


def grid_csv(grid, delim, newline, bom, corrupt=None):
    names = [f"c{j}" for j in range(grid.shape[1])]
    lines = [delim.join(names)]
    for i, row in enumerate(grid):
        cells = [repr(float(v)) for v in row]
        if corrupt is not None and corrupt[0] == i:
            cells[corrupt[1]] = corrupt[2]
        lines.append(delim.join(cells))
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), names


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids, fmt=FORMATS)
def test_numeric_grid_round_trips_exactly(tmp_path_factory, grid, fmt):
    content, _ = grid_csv(grid, *fmt)
    path = tmp_path_factory.mktemp("rt") / "grid.csv"
    path.write_bytes(content)
    ds = load_csv(path, task="regression")
    back = np.hstack([ds.X, ds.Y])
    assert back.shape == grid.shape
    assert np.array_equal(back, grid)
    assert np.array_equal(np.signbit(back), np.signbit(grid))  # -0.0 survives too


BAD_CELLS = st.sampled_from(["abc", "", "  ", "nan", "-inf", "Infinity", "-", "1.2.3", "0x1F",
                             "1_0", "1e999", "--1", "1e", ".", "e5", "½"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids, fmt=FORMATS, data=st.data(), bad=BAD_CELLS)
def test_one_corrupt_cell_is_cited_exactly(tmp_path_factory, grid, fmt, data, bad):
    i = data.draw(st.integers(0, grid.shape[0] - 1), label="row")
    j = data.draw(st.integers(0, grid.shape[1] - 1), label="column")
    content, names = grid_csv(grid, *fmt, corrupt=(i, j, bad))
    path = tmp_path_factory.mktemp("bad") / "grid.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        load_csv(path, task="regression")
    message = str(info.value)
    assert message.startswith(f"{path}: line {i + 2}, column '{names[j]}': ")
    assert re.findall(r"line (\d+)", message) == [str(i + 2)]
    assert message.endswith(repr(bad.strip()))
