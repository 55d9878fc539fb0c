"""Full-text search for the static site: an index built from the store, read by a small script.

Modules: `tokens` (the rules the client shares), `state` (what the manifest keeps),
`index` (building, with numpy), `reader` (the reference reader for `static/search.js`).

Why not Pagefind: measured on this machine over 10,000 Chinese articles it
took 33 s and 5.3 GB (four times Hugo's whole build) and it rebuilds the
whole index every time. The store already holds every article's clean text,
so this index is built from `title` and `text` with no HTML parsed again, and
updated incrementally: a build tokenizes only new and changed articles.

Tokens (the same rules in `static/search.js`): NFKC, lower case; a run of
CJK characters gives its overlapping bigrams plus its last character (so a
one-character query is answered by the union of the tokens it begins);
any other run of letters and digits is one word.

Layout under `<site>/search/`:

- `meta.json`: `{"v", "docs", "segments": [{"id", "base", "n", "shards", "w"}], "deleted"}`
- `<segment>/t<k>.json`: the tokens whose key hashes to shard `k`:
  `{"t": [token, ...], "n": [postings of each], "p": postings,
  "T": [title token, ...], "N": [...], "P": title postings}`. Postings are
  the base64 of little-endian unsigned integers `w` bytes wide (2, or 4 past
  65,536 documents), each token's ascending document numbers minus the
  segment's base, one token after the other
- `<segment>/d<k>.json`: `[[path, title, date, section, summary], ...]` for
  document numbers `base + k*CHUNK ...`

A segment never changes once written. An incremental build adds one segment
for the new and changed articles and marks the numbers of removed or changed
ones deleted; when there are more than `MAX_SEGMENTS` segments or a quarter
of the numbers are deleted, the next build writes one fresh segment. The
client fetches only the shards its query's tokens hash to, one per segment.

Building is vectorized (numpy), because a Chinese article has about a
thousand postings and a per-character Python loop made the index the
slowest part of a site build: texts are tokenized a batch at a time, CJK
bigrams as integer pairs of code points, words through one vocabulary, and
the posting lists come out of one sort of (token, document) pairs.
"""

from newsmill.publish.site.search.state import SearchState, Segment, doc_meta
from newsmill.publish.site.search.tokens import normalize, shard_of, token_key, tokens

__all__ = ["SearchState", "Segment", "doc_meta", "normalize", "shard_of", "token_key", "tokens"]
