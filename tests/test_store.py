"""The on-disk format, with random vectors instead of the model (the format is model-agnostic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa import passages, store
from qa.chunking import Chunk
from qa.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from qa.store import FileRecord, Manifest


def _generation(
    folder: Path, n: int = 4, seed: int = 0, kind: str = "flat", first: int = 0, previous: str | None = None
) -> str:
    chunks = [
        Chunk(
            id=100 + i,
            doc="a.txt",
            page=None,
            label="",
            start=i * 10,
            end=i * 10 + 9,
            text=f"passage {i} about supervision",
        )
        for i in range(first, first + n)
    ]
    # A passage's vector depends on its id alone, as a real passage's depends on its text.
    vecs = np.stack([np.random.default_rng([seed, c.id]).normal(size=8) for c in chunks]).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    manifest = Manifest(
        model="m",
        dimension=8,
        chunking={"x": 1},
        passages=n,
        files={"a.txt": FileRecord("a.txt", "sha", 1, 1, "indexed", passages=n)},
        index_type=kind,
    )
    return store.write_generation(folder, manifest, chunks, vecs, previous)


def test_round_trip(tmp_path: Path) -> None:
    name = _generation(tmp_path)
    snap = store.load(tmp_path)
    assert snap.generation == name
    assert [c.id for c in snap.chunks] == [100, 101, 102, 103]
    assert snap.manifest.files["a.txt"].passages == 4
    assert snap.ids.tolist() == [100, 101, 102, 103] and snap.dense.shape == (4, 8)
    assert snap.rows_of(np.array([102, 7, 100])).tolist() == [2, -1, 0] and snap.row(103) == 3
    assert not any(p.suffix == ".pkl" for p in tmp_path.rglob("*"))


def test_new_generation_switches_atomically_and_prunes(tmp_path: Path) -> None:
    first = _generation(tmp_path)
    second = _generation(tmp_path, n=2, seed=1)
    third = _generation(tmp_path, n=3, seed=2)
    assert (tmp_path / "CURRENT").read_text() == third
    gens = sorted(p.name for p in tmp_path.glob("gen-*"))
    assert first not in gens and second in gens and third in gens
    assert len(store.load(tmp_path).chunks) == 3


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="qa index"):
        store.load(tmp_path)


@pytest.mark.parametrize(
    "target",
    ["vectors.faiss", "vectors.npy", "passages/text.bin", "passages/ids.npy", "bm25/vocab.index.json"],
)
@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_files_are_named(tmp_path: Path, target: str, damage: str) -> None:
    name = _generation(tmp_path)
    path = tmp_path / name / target
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0x40
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as info:
        store.load(tmp_path)
    assert target.split("/")[-1] in str(info.value) and "qa index --full" in str(info.value)


def test_damaged_manifest(tmp_path: Path) -> None:
    name = _generation(tmp_path)
    (tmp_path / name / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match=r"manifest\.json"):
        store.load(tmp_path)


def test_ids_must_match_vectors(tmp_path: Path) -> None:
    name = _generation(tmp_path)
    gen = tmp_path / name
    ids = np.load(gen / "passages" / "ids.npy")
    ids[0] = 999
    np.save(gen / "passages" / "ids.npy", ids)
    with pytest.raises(IndexCorruptError, match="ids do not match"):
        store.load(tmp_path, verify=False)


def test_leftover_temporary_generations_are_cleaned(tmp_path: Path) -> None:
    _generation(tmp_path)
    (tmp_path / ".tmp-gen-dead").mkdir()
    (tmp_path / ".tmp-gen-dead" / "vectors.faiss").write_bytes(b"half")
    store.clean_temporary(tmp_path)
    assert not list(tmp_path.glob(".tmp-*"))
    assert len(store.load(tmp_path).chunks) == 4


def test_failed_write_leaves_old_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _generation(tmp_path)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.Lexical, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        _generation(tmp_path, n=2)
    assert (tmp_path / "CURRENT").read_text() == old
    assert not list(tmp_path.glob(".tmp-*"))
    assert len(store.load(tmp_path).chunks) == 4


def test_second_rebuild_is_refused(tmp_path: Path) -> None:
    with (
        store.rebuild_lock(tmp_path),
        pytest.raises(IndexBusyError, match="another rebuild"),
        store.rebuild_lock(tmp_path),
    ):
        pass
    with store.rebuild_lock(tmp_path):  # released afterwards
        pass


def test_cached_snapshot_follows_current(tmp_path: Path) -> None:
    _generation(tmp_path, n=4)
    assert len(store.cached(tmp_path).chunks) == 4
    _generation(tmp_path, n=2, seed=3)
    assert len(store.cached(tmp_path).chunks) == 2


def test_neighbours_follow_reading_order_not_index_order(tmp_path: Path) -> None:
    def c(doc: str, page: int | None, start: int) -> Chunk:
        return Chunk(id=start, doc=doc, page=page, label="", start=start, end=start + 5, text="x")

    # As an incremental rebuild leaves them: documents interleaved, pages out of order.
    chunks = [
        c("b.pdf", 2, 0),
        c("a.txt", None, 50),
        c("b.pdf", 1, 40),
        c("a.txt", None, 0),
        c("b.pdf", 1, 0),
    ]
    passages.write(tmp_path / "p", chunks)
    before, after = store.reading_order(passages.PassageTable(tmp_path / "p"))
    # b.pdf reads rows 4 (p1@0), 2 (p1@40), 0 (p2@0); a.txt reads rows 3, 1.
    assert after.tolist() == [-1, -1, 0, 1, 2]
    assert before.tolist() == [2, 3, 4, -1, -1]
    passages.write(tmp_path / "empty", [])
    empty = store.reading_order(passages.PassageTable(tmp_path / "empty"))
    assert [a.tolist() for a in empty] == [[], []]


def test_passage_columns_give_back_each_chunk(tmp_path: Path) -> None:
    chunks = [
        Chunk(7, "b.pdf", 3, "Leadership", 10, 90, "Leaders know their services well: « très bien » ✓."),
        Chunk(-5, "a.txt", None, "", 0, 4, ""),
        Chunk(2**62, "b.pdf", 1, "", 5, 6, "x"),
    ]
    passages.write(tmp_path, chunks)
    table = passages.PassageTable(tmp_path)
    assert list(table) == chunks and table[-1] == chunks[-1] and table[0:2] == chunks[:2]
    assert table.rows_of("b.pdf").tolist() == [0, 2] and table.rows_of("nope.txt").tolist() == []
    with pytest.raises(IndexError):
        table[3]
    assert not any(p.suffix == ".pkl" for p in tmp_path.iterdir())


def test_the_graph_grows_from_the_previous_generation_and_hides_the_dead(tmp_path: Path) -> None:
    from qa.config import Settings
    from qa.search import dense_scores

    first = _generation(tmp_path, n=40, kind="hnsw")
    graph = store.load(tmp_path).vectors
    assert graph.ntotal == 40
    # Passages 0-1 leave, 40-41 arrive: the graph keeps its 40 and gains 2.
    _generation(tmp_path, n=40, first=2, kind="hnsw", previous=first)
    snap = store.load(tmp_path)
    assert snap.vectors.ntotal == 42 and sorted(snap.dead.tolist()) == [100, 101]
    assert len(snap.chunks) == 40 and snap.ids.min() == 102
    for row in range(40):
        q = np.asarray(snap.dense[row])
        scores = dense_scores(snap, q, 10, None, Settings(hnsw_ef_search=64))
        assert scores.argmax() == row and scores[row] == pytest.approx(1.0, abs=1e-5)  # exact, not SQ8
        assert (scores > -1).sum() == 10  # the dead took no place among the ten
    # When the dead pass their share, the graph is built afresh from the live passages.
    _generation(tmp_path, n=30, first=20, kind="hnsw", previous=store.current_generation(tmp_path))
    snap = store.load(tmp_path)
    assert snap.vectors.ntotal == 30 and len(snap.dead) == 0
