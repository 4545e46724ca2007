"""read_preferences (CSV, Parquet, JSON Lines; path, file, bytes, folder) and from_dataset."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlchf import PreferenceData, PreferenceDataError, read_preferences

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"),
                           include_characters=',"\n;'),
    min_size=1, max_size=12,
)


@st.composite
def pairwise_frames(draw):
    n = draw(st.integers(1, 8))
    prompts = draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))
    rows = []
    for i in range(n):
        p = draw(st.integers(0, len(prompts) - 1))
        a, b = draw(st.lists(TEXT, min_size=2, max_size=2, unique=True))
        rows.append({"prompt_id": f"p{p}", "prompt": prompts[p], "response_a": a,
                     "response_b": b, "label": draw(st.sampled_from([0.0, 0.5, 1.0])),
                     "annotator_id": f"u{i % 3}", "age": 20 + (i % 3),
                     "region": ["n", "s", "e"][i % 3]})
    return pd.DataFrame(rows)


def write(df: pd.DataFrame, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "csv":
        df.to_csv(buf, index=False)
    elif fmt == "parquet":
        df.to_parquet(buf, index=False)
    else:
        df.to_json(buf, orient="records", lines=True, force_ascii=False, double_precision=15)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=pairwise_frames())
def test_round_trip(fmt, df):
    data = PreferenceData.from_pandas(df, kind="pairwise", features=["age", "region"])
    back = read_preferences(write(data.frame, fmt), kind="pairwise",
                            features=["age", "region"], format=fmt)
    pd.testing.assert_frame_equal(back.frame, data.frame, check_dtype=False)
    assert back.frame["label"].dtype == "float64"


@st.composite
def ranking_frames(draw):
    rows = []
    for p in range(draw(st.integers(1, 3))):
        texts = draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))
        prompt = draw(TEXT)
        for a in range(draw(st.integers(1, 3))):
            ranks = draw(st.lists(st.integers(0, 5), min_size=len(texts), max_size=len(texts)))
            for r, (text, rank) in enumerate(zip(texts, ranks, strict=True)):
                rows.append({"prompt_id": f"{p:03d}", "prompt": prompt, "response_id": f"r{r}",
                             "response": text, "annotator_id": f"u{a}", "rank": rank,
                             "score": draw(st.floats(-1e6, 1e6))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=ranking_frames())
def test_round_trip_ranking(fmt, df):
    data = PreferenceData.from_pandas(df, kind="ranking")
    back = read_preferences(write(data.frame, fmt), kind="ranking", format=fmt)
    pd.testing.assert_frame_equal(back.frame, data.frame, check_dtype=False)
    pd.testing.assert_frame_equal(back.to_pairwise().frame, data.to_pairwise().frame,
                                  check_dtype=False)


def ranking_df() -> pd.DataFrame:
    return pd.DataFrame({
        "prompt_id": ["001"] * 4, "prompt": ["Greet me."] * 4,
        "response_id": ["r1", "r2"] * 2, "response": ["None", "NA"] * 2,
        "annotator_id": ["ann", "ann", "bob", "bob"], "rank": [0, 1, 1, 0],
        "group": ["x", "x", "y", "y"],
    })


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("parquet", ".parquet"),
                                         ("parquet", ".pq"), ("jsonl", ".jsonl")])
def test_path_file_object_and_bytes(tmp_path, fmt, suffix):
    raw = write(ranking_df(), fmt)
    path = tmp_path / f"prefs{suffix}"
    path.write_bytes(raw)
    by_path = read_preferences(path, kind="ranking", features=["group"])
    by_str = read_preferences(str(path), kind="ranking", features=["group"])
    with open(path, "rb") as fh:
        by_file = read_preferences(fh, kind="ranking", features=["group"])
    by_bytes = read_preferences(raw, kind="ranking", features=["group"], format=fmt)
    for data in (by_str, by_file, by_bytes):
        pd.testing.assert_frame_equal(data.frame, by_path.frame)
    # ids keep their leading zeros, and texts such as "None" and "NA" stay text
    assert by_path.frame["prompt_id"].tolist() == ["001"] * 4
    assert by_path.frame["response"].tolist() == ["None", "NA"] * 2


def test_text_stream():
    text = write(ranking_df(), "csv").decode()
    data = read_preferences(io.StringIO(text), kind="ranking", format="csv")
    assert len(data) == 4


def test_error_names_the_file(tmp_path):
    df = ranking_df()
    df.loc[3, "rank"] = -2
    path = tmp_path / "prefs.csv"
    path.write_bytes(write(df, "csv"))
    with pytest.raises(PreferenceDataError) as info:
        read_preferences(path, kind="ranking")
    assert str(info.value).startswith(f"Row 3 of {path}: the 'rank' column must be a whole")
    with open(path, "rb") as fh, pytest.raises(PreferenceDataError, match=r"^Row 3 of prefs.csv"):
        read_preferences(fh, kind="ranking")
    with pytest.raises(PreferenceDataError, match=r"^Row 3 of upload.csv"):
        read_preferences(path.read_bytes(), kind="ranking", name="upload.csv")


def test_missing_file(tmp_path):
    with pytest.raises(PreferenceDataError, match=r"nope.csv: no such file"):
        read_preferences(tmp_path / "nope.csv", kind="pairwise")


def test_unknown_suffix_and_bytes_without_format(tmp_path):
    path = tmp_path / "prefs.txt"
    path.write_bytes(b"x")
    with pytest.raises(PreferenceDataError, match=r"cannot tell the format"):
        read_preferences(path, kind="pairwise")
    with pytest.raises(PreferenceDataError, match=r"^<bytes>: cannot tell the format"):
        read_preferences(b"x", kind="pairwise")
    with pytest.raises(PreferenceDataError, match=r"'format' parameter of read_preferences"):
        read_preferences(b"x", kind="pairwise", format="xlsx")


def test_empty_csv():
    with pytest.raises(PreferenceDataError, match=r"the file is empty"):
        read_preferences(b"", kind="pairwise", format="csv")


def test_ragged_csv():
    raw = b"prompt_id,prompt\n1,a\n2,b,c,d\n"
    with pytest.raises(PreferenceDataError, match=r"^<bytes>: not a valid CSV file"):
        read_preferences(raw, kind="pairwise", format="csv")


def test_csv_non_numeric_label_names_row():
    raw = (b"prompt_id,prompt,response_a,response_b,label,annotator_id\n"
           b"1,q,x,y,1,a\n1,q,x,y,NA,b\n")
    with pytest.raises(PreferenceDataError, match=r"^Row 1 of <bytes>: the 'label' column is em"):
        read_preferences(raw, kind="pairwise", format="csv")


def test_jsonl_bad_line_named():
    raw = b'{"prompt_id": 1}\n{"prompt_id": 2\n'
    with pytest.raises(PreferenceDataError, match=r"^Line 2 of x.jsonl: not valid JSON"):
        read_preferences(raw, kind="pairwise", name="x.jsonl")


def test_jsonl_line_not_an_object():
    raw = b'{"prompt_id": 1}\n[1, 2]\n'
    with pytest.raises(PreferenceDataError, match=r"^Line 2 of <bytes>: expected a JSON object"):
        read_preferences(raw, kind="pairwise", format="jsonl")


def test_not_parquet():
    with pytest.raises(PreferenceDataError, match=r"^a.parquet: not a readable Parquet file"):
        read_preferences(b"not parquet", kind="pairwise", name="a.parquet")


def test_folder_of_parquet_files(tmp_path):
    df = ranking_df()
    other = df.assign(prompt_id="002")
    df.to_parquet(tmp_path / "part-0.parquet", index=False)
    other.to_parquet(tmp_path / "part-1.parquet", index=False)
    data = read_preferences(tmp_path, kind="ranking", features=["group"])
    assert len(data) == 8
    assert sorted(data.prompt_ids) == ["001", "002"]


def test_not_a_source():
    with pytest.raises(PreferenceDataError, match=r"must be a path, a file-like object or bytes"):
        read_preferences(42, kind="pairwise", format="csv")


# ---------------------------------------------------------------- Hugging Face datasets


def test_from_dataset_round_trip():
    import datasets

    data = PreferenceData.from_pandas(ranking_df(), kind="ranking", features=["group"])
    ds = datasets.Dataset.from_pandas(data.frame, preserve_index=False)
    back = PreferenceData.from_dataset(ds, kind="ranking", features=["group"])
    pd.testing.assert_frame_equal(back.frame, data.frame)


def test_from_dataset_refuses_dataset_dict_and_others():
    import datasets

    ds = datasets.Dataset.from_pandas(ranking_df(), preserve_index=False)
    with pytest.raises(PreferenceDataError, match=r"DatasetDict with splits \['train'\]"):
        PreferenceData.from_dataset(datasets.DatasetDict({"train": ds}), kind="ranking")
    with pytest.raises(PreferenceDataError, match=r"must be a datasets.Dataset. Got DataFrame"):
        PreferenceData.from_dataset(ranking_df(), kind="ranking")


def test_from_dataset_errors_name_the_row():
    import datasets

    df = ranking_df()
    df.loc[2, "annotator_id"] = ""
    ds = datasets.Dataset.from_pandas(df, preserve_index=False)
    with pytest.raises(PreferenceDataError, match=r"^Row 2 of the dataset: the 'annotator_id'"):
        PreferenceData.from_dataset(ds, kind="ranking")


def test_empty_folder(tmp_path):
    with pytest.raises(PreferenceDataError, match=r"the folder holds no .parquet files"):
        read_preferences(tmp_path, kind="pairwise")


HEADER = b"prompt_id,prompt,response_a,response_b,label,annotator_id\n"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_byte_order_mark_is_dropped(fmt):
    raw = write(PreferenceData.from_pandas(ranking_df(), "ranking").frame, fmt)
    data = read_preferences(b"\xef\xbb\xbf" + raw, kind="ranking", format=fmt)
    assert data.frame.columns[0] == "prompt_id"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_not_utf8(fmt):
    raw = HEADER + b"1,caf\xe9,x,y,1,a\n"
    with pytest.raises(PreferenceDataError, match=r"^<bytes>: byte \d+ is not UTF-8 text"):
        read_preferences(raw, kind="pairwise", format=fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
@settings(max_examples=40, deadline=None)
@given(raw=st.one_of(st.binary(max_size=60),
                     st.text(alphabet='{}[]":,0.5\n ab_', max_size=60).map(str.encode)))
def test_any_bytes_give_data_or_a_typed_error(fmt, raw):
    try:
        read_preferences(HEADER + raw, kind="pairwise", format=fmt)
    except PreferenceDataError:
        pass
    try:
        read_preferences(raw, kind="ranking", format=fmt)
    except PreferenceDataError:
        pass
