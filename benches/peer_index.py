"""The peer of `cargo bench --bench pipeline`: the thirty lines of Python a user could write
instead of scoway — read the benchmark's front-matter files, segment with rjieba (the Python
binding of jieba-rs, `cut_for_search`) or with pure-Python jieba, and index documents and
paragraphs with positions and dates in tantivy-py (the official bindings).

    python benches/peer_index.py INPUT_DIR INDEX_DIR [--segmenter rjieba|jieba] [--literal] [--cpu N]

`--literal` also indexes what scoway's literal-recall fields hold (issue 14): every Han character
and every pair of neighbouring Han characters, with positions, in the paragraph and document
entries and the title; the same tokens as scoway's, interleaved in one whitespace field (c1 c1c2
c2 c2c3 c3 ...) instead of sharing positions, so the index holds as many tokens and positions.

Prints one JSON line: documents, paragraphs, tokens, CPU seconds and peak RSS of the process.
Install: `pip install rjieba tantivy jieba` (the benchmark was run with rjieba 0.2.2,
tantivy 0.27.0, jieba 0.42.1).
"""

import datetime
import json
import os
import pathlib
import resource
import sys
import time


def is_han(c):
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def han_chars(text):
    """Every Han char of `text` and, before it, the pair it ends, space-separated."""
    out = []
    previous = None
    for c in text:
        if is_han(c):
            if previous is not None:
                out.append(previous + c)
            out.append(c)
            previous = c
        else:
            previous = None
    return " ".join(out)


def main():
    args = sys.argv[1:]
    segmenter = "rjieba"
    if "--segmenter" in args:
        i = args.index("--segmenter")
        segmenter = args[i + 1]
        del args[i : i + 2]
    literal = "--literal" in args
    if literal:
        args.remove("--literal")
    if "--cpu" in args:
        i = args.index("--cpu")
        os.sched_setaffinity(0, {int(args[i + 1])})
        del args[i : i + 2]
    input_dir, index_dir = map(pathlib.Path, args)

    import tantivy

    if segmenter == "rjieba":
        import rjieba

        cut = rjieba.cut_for_search
    else:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        cut = lambda text: jieba.lcut_for_search(text, HMM=False)

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("kind", stored=True, tokenizer_name="raw")
    sb.add_integer_field("para", stored=True, indexed=True)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    sb.add_text_field("title", stored=True, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("text", stored=False, tokenizer_name="whitespace", index_option="position")
    if literal:
        for name in ("chars", "title_chars"):
            sb.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    schema = sb.build()
    index_dir.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer()

    docs = paragraphs = tokens = 0
    for path in sorted(input_dir.iterdir()):
        raw = path.read_text(encoding="utf-8")
        _, front, body = raw.split("+++\n", 2)
        meta = {}
        for line in front.splitlines():
            key, _, value = line.partition("=")
            meta[key.strip()] = value.strip().strip('"')
        date = datetime.datetime.fromisoformat(meta["date"])
        words_of_doc = []
        chars_of_doc = []
        for n, para in enumerate(p for p in body.split("\n") if p.strip()):
            words = [w for w in cut(para) if w.strip()]
            tokens += len(words)
            words_of_doc.extend(words)
            fields = dict(id=meta["id"], kind="paragraph", para=n, date=date, text=" ".join(words))
            if literal:
                fields["chars"] = han_chars(para)
                chars_of_doc.append(fields["chars"])
            writer.add_document(tantivy.Document(**fields))
            paragraphs += 1
        fields = dict(
            id=meta["id"], kind="document", date=date, title=meta.get("title", ""),
            text=" ".join(words_of_doc),
        )
        if literal:
            fields["chars"] = " ".join(chars_of_doc)
            fields["title_chars"] = han_chars(meta.get("title", ""))
        writer.add_document(tantivy.Document(**fields))
        docs += 1
    writer.commit()
    writer.wait_merging_threads()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "documents": docs,
                "paragraphs": paragraphs,
                "tokens": tokens,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": usage.ru_maxrss / 1024.0,
                "segmenter": segmenter,
                "literal": literal,
            }
        )
    )


if __name__ == "__main__":
    main()
