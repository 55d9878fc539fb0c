/* newsmill site search: reads the index newsmill wrote under search/, no server, no CDN.
   The tokenizer and ranking are the same as newsmill/publish/site/search/tokens.py and
   search/reader.py, the reference tests and the bench ask. */
(function () {
  "use strict";
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af";
  var RUN = /[\p{L}\p{N}]+/gu;
  var CJK_SPLIT = new RegExp("([" + CJK + "]+)", "u");
  var HAS_CJK = new RegExp("[" + CJK + "]", "u");
  var MAX_WORD = 40;

  function normalize(text) { return text.normalize("NFKC").toLowerCase(); }

  function splitRuns(text) {
    var out = [];
    var runs = text.match(RUN) || [];
    runs.forEach(function (run) {
      if (!HAS_CJK.test(run)) { out.push([false, run]); return; }
      run.split(CJK_SPLIT).forEach(function (part, i) {
        if (part) out.push([i % 2 === 1, part]);
      });
    });
    return out;
  }

  function codePoints(s) { return Array.from(s); }

  function queryGroups(query) {
    var groups = [];
    var runs = splitRuns(normalize(query));
    runs.forEach(function (item, index) {
      var run = item[1];
      var chars = codePoints(run);
      if (item[0]) {
        if (chars.length === 1) groups.push({ exact: run, prefix: true });
        else for (var i = 0; i + 1 < chars.length; i++) groups.push({ exact: chars[i] + chars[i + 1], prefix: false });
      } else if (chars.length <= MAX_WORD) {
        groups.push({ exact: run, prefix: index === runs.length - 1 && chars.length >= 3 });
      }
    });
    var seen = {};
    return groups.filter(function (g) {
      var k = g.exact + "\u0000" + g.prefix;
      if (seen[k]) return false;
      seen[k] = true;
      return true;
    });
  }

  function tokenKey(token) {
    var chars = codePoints(token);
    return HAS_CJK.test(chars[0]) ? chars[0] : chars.slice(0, 2).join("");
  }

  function shardOf(key, shards) {
    var h = 0x811c9dc5;
    for (var ch of key) { h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0; }
    return h % shards;
  }

  /* One list of a shard: tokens, their posting counts, and the postings end to end as
     base64 of little-endian integers `width` bytes wide, minus the segment's base. */
  function Lists(tokens, counts, b64, width, base) {
    this.tokens = tokens;
    this.at = new Map();
    for (var i = 0, off = 0; i < tokens.length; off += counts[i], i++) this.at.set(tokens[i], [off, counts[i]]);
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var j = 0; j < bin.length; j++) bytes[j] = bin.charCodeAt(j);
    this.view = new DataView(bytes.buffer);
    this.width = width;
    this.base = base;
  }
  Lists.prototype.docs = function (token) {
    var entry = this.at.get(token);
    if (!entry) return [];
    var out = new Array(entry[1]), view = this.view, w = this.width;
    for (var i = 0; i < entry[1]; i++) {
      var p = (entry[0] + i) * w;
      out[i] = this.base + (w === 2 ? view.getUint16(p, true) : view.getUint32(p, true));
    }
    return out;
  };

  function Index(base) {
    this.base = base;
    this.cache = {};
    this.shards = {};
    this.meta = null;
  }
  Index.prototype.json = function (path) {
    if (!this.cache[path]) {
      this.cache[path] = fetch(this.base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      });
    }
    return this.cache[path];
  };
  Index.prototype.load = function () {
    var self = this;
    if (!this.meta) {
      this.meta = fetch(this.base + "meta.json", { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error("meta.json: HTTP " + r.status);
        return r.json();
      }).then(function (meta) {
        meta.deletedSet = new Set(meta.deleted);
        return meta;
      });
    }
    return this.meta.then(function (meta) { self.m = meta; return meta; });
  };
  Index.prototype.shard = function (seg, k) {
    var path = seg.id + "/t" + k + ".json";
    if (!this.shards[path]) {
      this.shards[path] = fetch(this.base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      }).then(function (d) {
        var w = seg.w || 2;
        return { body: new Lists(d.t, d.n, d.p, w, seg.base), title: new Lists(d.T, d.N, d.P, w, seg.base) };
      });
    }
    return this.shards[path];
  };
  Index.prototype.postings = function (group) {
    var self = this, meta = this.m;
    return Promise.all(meta.segments.map(function (seg) {
      return self.shard(seg, shardOf(tokenKey(group.exact), seg.shards));
    })).then(function (shards) {
      var found = new Map();
      shards.forEach(function (shard) {
        var names = group.prefix
          ? shard.body.tokens.filter(function (t) { return t.startsWith(group.exact); })
          : (shard.body.at.has(group.exact) ? [group.exact] : []);
        names.forEach(function (name) {
          if (!found.has(name)) found.set(name, new Map());
          var docs = found.get(name);
          var title = new Set(shard.title.docs(name));
          shard.body.docs(name).forEach(function (d) {
            if (!meta.deletedSet.has(d)) docs.set(d, title.has(d));
          });
        });
      });
      var out = [];
      found.forEach(function (docs, name) { out.push([name === group.exact ? 1.0 : 0.3, docs]); });
      return out;
    });
  };
  Index.prototype.search = function (query, limit) {
    var self = this;
    var groups = queryGroups(query);
    if (!groups.length) return Promise.resolve({ total: 0, hits: [] });
    return this.load().then(function (meta) {
      return Promise.all(groups.map(function (g) { return self.postings(g); }));
    }).then(function (perGroup) {
      var total = Math.max(1, self.m.docs);
      var scores = null;
      for (var g = 0; g < perGroup.length; g++) {
        var groupScores = new Map();
        var matched = new Set();
        perGroup[g].forEach(function (pair) { pair[1].forEach(function (_, d) { matched.add(d); }); });
        var idf = Math.log(1 + total / Math.max(1, matched.size));
        perGroup[g].forEach(function (pair) {
          var weight = pair[0], docs = pair[1];
          docs.forEach(function (inTitle, d) {
            var s = idf * weight * (inTitle ? 3.0 : 1.0);
            if (s > (groupScores.get(d) || 0)) groupScores.set(d, s);
          });
        });
        if (scores === null) scores = groupScores;
        else {
          var next = new Map();
          scores.forEach(function (s, d) { if (groupScores.has(d)) next.set(d, s + groupScores.get(d)); });
          scores = next;
        }
        if (!scores.size) return { total: 0, hits: [] };
      }
      var ranked = Array.from(scores.entries()).sort(function (a, b) { return b[1] - a[1] || b[0] - a[0]; });
      return Promise.all(ranked.slice(0, limit).map(function (pair) { return self.hit(pair[0]); }))
        .then(function (hits) { return { total: ranked.length, hits: hits }; });
    });
  };
  Index.prototype.hit = function (docno) {
    var seg = this.m.segments.find(function (s) { return s.base <= docno && docno < s.base + s.n; });
    var local = docno - seg.base;
    return this.json(seg.id + "/d" + Math.floor(local / 100) + ".json").then(function (chunk) {
      var d = chunk[local % 100];
      return { path: d[0], title: d[1], date: d[2], section: d[3], summary: d[4] };
    });
  };

  /* -- the page ------------------------------------------------------------------------ */

  function folded(text) {
    // normalize() one character at a time, so that every position of the result maps
    // back to the character it came from: NFKC turns a summary's closing "…" into
    // three dots, and lower case can lengthen a letter, which shift every later match.
    var out = "";
    var start = [];
    var end = [];
    for (var i = 0; i < text.length; ) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      var n = normalize(ch);
      for (var k = 0; k < n.length; k++) { start.push(i); end.push(i + ch.length); }
      out += n;
      i += ch.length;
    }
    return { text: out, start: start, end: end };
  }

  function highlight(element, text, words) {
    // Text nodes only: nothing from an article is ever parsed as HTML here.
    var f = folded(text);
    var marks = [];
    words.forEach(function (w) {
      if (!w) return;
      var at = f.text.indexOf(w);
      while (at !== -1) {
        marks.push([f.start[at], f.end[at + w.length - 1]]);
        at = f.text.indexOf(w, at + w.length);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      element.appendChild(document.createTextNode(text.slice(pos, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      element.appendChild(mark);
      pos = m[1];
    });
    element.appendChild(document.createTextNode(text.slice(pos)));
  }

  function setup() {
    var box = document.getElementById("search-results");
    if (!box) return;
    var root = box.getAttribute("data-root") || "";
    var index = new Index(box.getAttribute("data-index"));
    var form = document.querySelector("form.search-form");
    var input = form && form.querySelector("input[name=q]");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-list");
    var labels = JSON.parse(box.getAttribute("data-labels") || "{}");
    var pending = 0;
    var timer = null;

    function run(query, push) {
      var ticket = ++pending;
      query = query.trim();
      if (push) {
        var url = new URL(window.location.href);
        if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
        window.history.replaceState(null, "", url);
      }
      list.textContent = "";
      if (!query) { status.textContent = ""; return; }
      status.textContent = labels.searching || "…";
      index.search(query, 30).then(function (result) {
        if (ticket !== pending) return;
        status.textContent = (labels.results || "{n}").replace("{n}", String(result.total));
        var words = queryGroups(query).map(function (g) { return g.exact; });
        var raw = normalize(query).split(/\s+/).filter(Boolean);
        words = words.concat(raw);
        result.hits.forEach(function (hit) {
          var li = document.createElement("li");
          li.className = "search-hit";
          var h = document.createElement("h2");
          var a = document.createElement("a");
          a.href = root + hit.path;
          highlight(a, hit.title, words);
          h.appendChild(a);
          var meta = document.createElement("p");
          meta.className = "meta";
          var time = document.createElement("time");
          time.textContent = hit.date;
          meta.appendChild(time);
          meta.appendChild(document.createTextNode(" · " + hit.section));
          var p = document.createElement("p");
          p.className = "summary";
          highlight(p, hit.summary, words);
          li.appendChild(h);
          li.appendChild(meta);
          li.appendChild(p);
          list.appendChild(li);
        });
      }).catch(function (err) {
        if (ticket !== pending) return;
        status.textContent = (labels.failed || "Search failed") + ": " + err.message;
      });
    }

    if (form && input) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run(input.value, true);
      });
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { run(input.value, true); }, 150);
      });
    }
    var initial = new URLSearchParams(window.location.search).get("q") || "";
    if (input && initial) input.value = initial;
    if (input) input.focus();
    run(initial, false);
  }

  window.newsmillSearch = { queryGroups: queryGroups, shardOf: shardOf, tokenKey: tokenKey, Index: Index };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
