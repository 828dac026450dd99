# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The checker's hot path in C: normalising, the automaton, gating, merging.

Compiled by ``bin/build_kernel.py`` (``bin/run`` and ``bin/test`` call it). :class:`~content.
compliance.engine.Checker` uses it when it is built and up to date, and otherwise runs its own
Python path, which stays the reference: ``content/tests/test_compliance_kernel.py`` holds the
two to the same findings on the corpus and on generated posts.

What the Python path spends a post on is mostly the interpreter's own work between C calls:
about 45 keys a dense post, each a tuple from pyahocorasick's iterator, unpacked and tested;
three regex passes and a lazy offset map to normalise; the hits sorted, filtered and merged as
tuples. Here:

- :class:`Folder` normalises in one loop over a table of the BMP (what ``normalize._fold_char``
  makes of each character; the rare character that expands, and astral ones, ask
  ``fold_char``), keeping each character's original span in two arrays;
- :class:`Kernel` holds an Aho-Corasick automaton over code points (a bitmap says which
  characters open a key, so most characters of a text cost one bit test at the root) and, per
  key, its requirement bits and its roles, and scans into C bitsets and span arrays;
- the pattern branches are gated on those bits; a branch with prefix variants is tried with
  ``match`` only where a variant's literal starts (the automaton found those places), not
  searched for; the hits are sorted, filtered and merged in C.

What stays Python: the branches' ``re`` searches (the regexes are the rules' own), and the
disclosure and persona rules, which run once a post and rarely find anything.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_FromKindAndData, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memset

from collections import deque

cdef enum:
    BOUNDARY = 0x3002  # 。, what every sentence end normalises to


cdef struct Hit:
    int rule
    int start
    int end


cdef int _by_rule_then_span(const void* a, const void* b) noexcept nogil:
    cdef const Hit* x = <const Hit*>a
    cdef const Hit* y = <const Hit*>b
    if x.rule != y.rule:
        return -1 if x.rule < y.rule else 1
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end < y.end else 1
    return 0


cdef class Folded:
    """A normalised text: ``text``, its characters as a C array, and per character the original
    span it came from (``span``/``spans``, as :class:`NormalizedText` has them)."""

    cdef readonly str text
    cdef Py_ssize_t size
    cdef Py_ssize_t cap
    cdef int* starts
    cdef int* ends
    cdef Py_UCS4* chars

    cdef inline int push(self, uint32_t x, int i) except -1:
        """Adds ``x``, what original character ``i`` became; a repeat of the last character
        that is not ASCII widens its span instead (the reference loop's fold)."""
        if self.size and x == self.chars[self.size - 1] and x > 0x7F:
            self.ends[self.size - 1] = i + 1
            return 0
        if self.size == self.cap:  # only after characters that expanded
            self.cap = 2 * self.cap + 16
            self.chars = <Py_UCS4*>_grow(self.chars, self.cap * sizeof(Py_UCS4))
            self.starts = <int*>_grow(self.starts, self.cap * sizeof(int))
            self.ends = <int*>_grow(self.ends, self.cap * sizeof(int))
        self.chars[self.size] = x
        self.starts[self.size] = i
        self.ends[self.size] = i + 1
        self.size += 1
        return 0

    def __dealloc__(self):
        PyMem_Free(self.starts)
        PyMem_Free(self.ends)
        PyMem_Free(self.chars)

    def span(self, Py_ssize_t i, Py_ssize_t j):
        """The original span ``[start, end)`` of the normalised span ``[i, j)`` (``j > i``)."""
        if not 0 <= i < j <= self.size:
            raise IndexError(f"span {i}..{j} outside 0..{self.size}")
        return (self.starts[i], self.ends[j - 1])

    def spans(self, spans):
        """:meth:`span` of each normalised span."""
        return [self.span(i, j) for i, j in spans]


cdef class Folder:
    """Normalises texts as ``normalize.normalize_full`` does, from a table of the BMP."""

    cdef uint32_t* table
    # The table's two marks; any other value is what the character maps to (often itself).
    cdef uint32_t drop
    cdef uint32_t special  # expands under NFKC: ``fold_char`` says to what
    cdef object fold_char  # str -> str, the reference fold of one character

    def __cinit__(self, table, fold_char, uint32_t drop, uint32_t special):
        cdef Py_ssize_t i
        self.drop = drop
        self.special = special
        if len(table) != 0x10000:
            raise ValueError("the fold table covers the BMP: 65,536 entries")
        self.table = <uint32_t*>PyMem_Malloc(0x10000 * sizeof(uint32_t))
        if self.table == NULL:
            raise MemoryError
        for i in range(0x10000):
            self.table[i] = table[i]
        self.fold_char = fold_char

    def __dealloc__(self):
        PyMem_Free(self.table)

    def fold(self, str text):
        """The :class:`Folded` form of ``text``."""
        return self._fold(text)

    cdef Folded _fold(self, str text):
        cdef Py_ssize_t n = len(text), i
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef uint32_t cp, v, drop = self.drop, special = self.special
        cdef Py_UCS4 ch
        cdef Folded out = Folded.__new__(Folded)
        out.cap = n + 16
        out.chars = <Py_UCS4*>PyMem_Malloc(out.cap * sizeof(Py_UCS4))
        out.starts = <int*>PyMem_Malloc(out.cap * sizeof(int))
        out.ends = <int*>PyMem_Malloc(out.cap * sizeof(int))
        if out.chars == NULL or out.starts == NULL or out.ends == NULL:
            raise MemoryError
        for i in range(n):
            cp = PyUnicode_READ(kind, data, i)
            v = self.table[cp] if cp < 0x10000 else special
            if v == drop:
                continue
            if v != special:
                out.push(v, i)
            else:
                for ch in <str>self.fold_char(chr(cp)):
                    out.push(ch, i)
        out.text = PyUnicode_FromKindAndData(4, out.chars, out.size)
        return out


cdef void* _grow(void* block, size_t size) except NULL:
    cdef void* grown = PyMem_Realloc(block, size)
    if grown == NULL:
        raise MemoryError
    return grown


cdef class Branch:
    """One pattern branch as the kernel gates it: requirement words, soft requirements,
    prefix variants, and the Python branch it searches."""

    cdef uint64_t* strict
    cdef uint64_t* variant_mask
    cdef bint has_variants
    cdef tuple soft  # ((requirement bit index, single characters that also meet it), ...)
    cdef dict by_bit  # bit index -> the variant's regex
    cdef object regex
    cdef int rule
    cdef tuple hit_groups
    cdef tuple validated

    def __dealloc__(self):
        PyMem_Free(self.strict)
        PyMem_Free(self.variant_mask)


cdef class Plan:
    """What runs for one context: ``on`` per rule, the branches, each rule's finding head."""

    cdef bytes on
    cdef list branches
    cdef tuple heads


cdef class Kernel:
    """The rules' keys as an Aho-Corasick automaton over code points, each key's entry (its
    length, requirement bits and roles), built once per Checker."""

    cdef readonly Folder folder
    cdef readonly tuple keys
    cdef int words
    cdef int rules
    cdef int entries
    cdef int* length
    cdef uint64_t* masks
    # Per entry: where its hit rules, exception rules and sentence-wide rules start in
    # ``roles``, each list ending where the next begins (``role_at`` has 3 * entries + 1).
    cdef int* role_at
    cdef int* roles
    # The automaton: per node, its children (sorted by character) from child_at[node] to
    # child_at[node + 1]; its failure link; the entry of the key ending there (-1: none); the
    # nearest node down its failure links where a key ends (0: none). Node 0 is the root.
    cdef int nodes
    cdef int* child_at
    cdef uint32_t* child_char
    cdef int* child_node
    cdef int* fail
    cdef int* out_entry
    cdef int* out_next
    cdef uint8_t* opens  # a bit per BMP character: some key opens with it
    # Per entry: whether it opens a prefix variant of some branch (its places are kept: the
    # branch is then matched at those places only, see _match_at).
    cdef uint8_t* anchor
    cdef object finding  # the Finding class

    def __cinit__(self, Folder folder, int requirements, int rules, list keys, list entries,
                  anchors, finding):
        """``keys[e]``: the normalised key of entry ``e``, ``entries[e]`` its ``(length,
        requirement bits, hit rules, exception rules, sentence-wide exception rules)``;
        ``anchors``: the requirement bits of the branches' prefix variants."""
        cdef int e, w, n_roles = 0, at = 0
        if len(keys) != len(entries):
            raise ValueError("one key per entry")
        self.folder = folder
        self.keys = tuple(keys)
        self.words = max(1, (requirements + 63) // 64)
        self.rules = rules
        self.entries = len(entries)
        self.finding = finding
        for entry in entries:
            n_roles += len(entry[2]) + len(entry[3]) + len(entry[4])
        self.length = <int*>PyMem_Malloc((self.entries + 1) * sizeof(int))
        self.masks = <uint64_t*>PyMem_Malloc((self.entries * self.words + 1) * sizeof(uint64_t))
        self.role_at = <int*>PyMem_Malloc((3 * self.entries + 1) * sizeof(int))
        self.roles = <int*>PyMem_Malloc((n_roles + 1) * sizeof(int))
        self.anchor = <uint8_t*>PyMem_Malloc((self.entries + 1) * sizeof(uint8_t))
        if not (self.length and self.masks and self.role_at and self.roles and self.anchor):
            raise MemoryError
        for e, entry in enumerate(entries):
            self.length[e] = entry[0]
            bits = entry[1]
            self.anchor[e] = bool(bits & anchors)
            for w in range(self.words):
                self.masks[e * self.words + w] = (bits >> (64 * w)) & 0xFFFFFFFFFFFFFFFF
            for r in range(3):
                self.role_at[3 * e + r] = at
                for rule in entry[2 + r]:
                    self.roles[at] = rule
                    at += 1
        self.role_at[3 * self.entries] = at
        self._build(keys)

    def _build(self, list keys):
        # The trie, then the failure and output links breadth first (the textbook
        # construction), in Python: it runs once per Checker.
        children = [{}]
        out = [-1]
        for e, key in enumerate(keys):
            if not key:
                raise ValueError(f"entry {e} has an empty key")
            node = 0
            for ch in key:
                nxt = children[node].get(ord(ch))
                if nxt is None:
                    nxt = len(children)
                    children[node][ord(ch)] = nxt
                    children.append({})
                    out.append(-1)
                node = nxt
            out[node] = e
        n = len(children)
        fail = [0] * n
        out_next = [0] * n
        queue = deque(children[0].values())
        while queue:
            r = queue.popleft()
            for c, child in children[r].items():
                queue.append(child)
                f = fail[r]
                while f and c not in children[f]:
                    f = fail[f]
                target = children[f].get(c, 0)
                fail[child] = target
                out_next[child] = target if out[target] >= 0 else out_next[target]
        self.nodes = n
        edges = sum(len(c) for c in children)
        self.child_at = <int*>PyMem_Malloc((n + 1) * sizeof(int))
        self.child_char = <uint32_t*>PyMem_Malloc((edges + 1) * sizeof(uint32_t))
        self.child_node = <int*>PyMem_Malloc((edges + 1) * sizeof(int))
        self.fail = <int*>PyMem_Malloc(n * sizeof(int))
        self.out_entry = <int*>PyMem_Malloc(n * sizeof(int))
        self.out_next = <int*>PyMem_Malloc(n * sizeof(int))
        self.opens = <uint8_t*>PyMem_Malloc(0x10000 // 8)
        if not (self.child_at and self.child_char and self.child_node and self.fail
                and self.out_entry and self.out_next and self.opens):
            raise MemoryError
        memset(self.opens, 0, 0x10000 // 8)
        cdef int at = 0, k
        for k in range(n):
            self.child_at[k] = at
            for c in sorted(children[k]):
                self.child_char[at] = c
                self.child_node[at] = children[k][c]
                at += 1
            self.fail[k] = fail[k]
            self.out_entry[k] = out[k]
            self.out_next[k] = out_next[k]
        self.child_at[n] = at
        for c in children[0]:
            if c < 0x10000:
                self.opens[c >> 3] |= 1 << (c & 7)

    def __dealloc__(self):
        PyMem_Free(self.length)
        PyMem_Free(self.masks)
        PyMem_Free(self.role_at)
        PyMem_Free(self.roles)
        PyMem_Free(self.anchor)
        PyMem_Free(self.child_at)
        PyMem_Free(self.child_char)
        PyMem_Free(self.child_node)
        PyMem_Free(self.fail)
        PyMem_Free(self.out_entry)
        PyMem_Free(self.out_next)
        PyMem_Free(self.opens)

    cdef inline int _goto(self, int node, uint32_t c) noexcept nogil:
        """The child of ``node`` for ``c``, or -1."""
        cdef int lo = self.child_at[node], hi = self.child_at[node + 1], mid
        if node == 0:
            if c < 0x10000 and not self.opens[c >> 3] & (1 << (c & 7)):
                return -1  # most characters of a text open no key
            hi -= 1
            while lo <= hi:  # the root has a child per opening character: bisect
                mid = (lo + hi) >> 1
                if self.child_char[mid] < c:
                    lo = mid + 1
                elif self.child_char[mid] > c:
                    hi = mid - 1
                else:
                    return self.child_node[mid]
            return -1
        while lo < hi:  # other nodes have a few children
            if self.child_char[lo] == c:
                return self.child_node[lo]
            if self.child_char[lo] > c:
                return -1
            lo += 1
        return -1

    def plan(self, on, branches, heads):
        """A :class:`Plan` from the engine's: ``branches`` as (strict bits, soft requirements,
        branch, variants), the engine's own planned branches."""
        cdef Plan plan = Plan.__new__(Plan)
        cdef Branch k
        plan.on = bytes(bool(x) for x in on)
        plan.heads = tuple(heads)
        plan.branches = []
        for strict, soft, branch, variants in branches:
            k = Branch.__new__(Branch)
            k.strict = self._words(strict)
            k.soft = tuple((bit.bit_length() - 1, chars) for bit, chars in soft)
            k.has_variants = variants is not None
            k.by_bit = {}
            if variants is not None:
                mask, by_bit = variants
                k.variant_mask = self._words(mask)
                k.by_bit = {bit.bit_length() - 1: regex for bit, regex in by_bit.items()}
            else:
                k.variant_mask = self._words(0)
            k.regex = branch.regex
            k.rule = branch.rule
            k.hit_groups = tuple(branch.hit_groups)
            k.validated = tuple(branch.validated)
            plan.branches.append(k)
        return plan

    cdef uint64_t* _words(self, bits) except NULL:
        cdef uint64_t* out = <uint64_t*>PyMem_Malloc(self.words * sizeof(uint64_t))
        cdef int w
        if out == NULL:
            raise MemoryError
        for w in range(self.words):
            out[w] = (bits >> (64 * w)) & 0xFFFFFFFFFFFFFFFF
        return out

    def scan(self, str text, Plan plan):
        """The hit rules' findings for ``text`` (unsorted: the caller adds the disclosure and
        persona findings, then sorts) and a :class:`Scan` for those two kinds of rules."""
        cdef Scan scan = Scan.__new__(Scan)
        cdef Folded folded = self.folder._fold(text)
        cdef int words = self.words, w, r, rule, start, end, e, a, b, left, right, i, n
        cdef int node, nxt, found
        cdef uint32_t c
        cdef Py_ssize_t pos, size = folded.size
        cdef Py_UCS4* chars = folded.chars
        cdef const unsigned char* on = plan.on
        cdef uint64_t* met
        cdef uint64_t present
        cdef Branch branch
        cdef int n_present, bit_index
        cdef bint ok
        scan.folded = folded
        scan.words = words
        scan.rules = self.rules
        scan.met = <uint64_t*>PyMem_Malloc(words * sizeof(uint64_t))
        scan.trig_start = <int*>PyMem_Malloc(self.rules * sizeof(int))
        scan.trig_end = <int*>PyMem_Malloc(self.rules * sizeof(int))
        scan.excepted = <int*>PyMem_Malloc(self.rules * sizeof(int))
        if not (scan.met and scan.trig_start and scan.trig_end and scan.excepted):
            raise MemoryError
        met = scan.met
        memset(met, 0, words * sizeof(uint64_t))
        memset(scan.excepted, 0, self.rules * sizeof(int))
        for r in range(self.rules):
            scan.trig_start[r] = -1
        cdef _Spans hits = _Spans()
        cdef _Spans excs = _Spans()
        cdef _Spans places = _Spans()  # (entry, start, end) of the keys that open variants
        cdef int* starts
        node = 0
        for pos in range(size):
            c = chars[pos]
            while True:
                nxt = self._goto(node, c)
                if nxt >= 0:
                    node = nxt
                    break
                if node == 0:
                    break
                node = self.fail[node]
            found = node if self.out_entry[node] >= 0 else self.out_next[node]
            while found:
                e = self.out_entry[found]
                found = self.out_next[found]
                end = pos + 1
                start = end - self.length[e]
                for w in range(words):
                    met[w] |= self.masks[e * words + w]
                if self.anchor[e]:
                    places.add(e, start, end)
                a = self.role_at[3 * e]
                b = self.role_at[3 * e + 1]
                for i in range(a, b):
                    rule = self.roles[i]
                    if on[rule]:
                        hits.add(rule, start, end)
                    elif (scan.trig_start[rule] < 0 or start < scan.trig_start[rule]
                          or (start == scan.trig_start[rule] and end > scan.trig_end[rule])):
                        # a disclosure rule's trigger: the first, longest one
                        scan.trig_start[rule] = start
                        scan.trig_end[rule] = end
                a = b
                b = self.role_at[3 * e + 2]
                for i in range(a, b):
                    rule = self.roles[i]
                    excs.add(rule, start, end)
                    scan.excepted[rule] = 1
                a = b
                b = self.role_at[3 * e + 3]
                for i in range(a, b):  # the exception covers its whole sentence
                    rule = self.roles[i]
                    left = start - 1
                    while left >= 0 and chars[left] != BOUNDARY:
                        left -= 1
                    right = end
                    while right < size and chars[right] != BOUNDARY:
                        right += 1
                    excs.add(rule, left + 1, right)
                    scan.excepted[rule] = 1
        norm = folded.text
        for branch in plan.branches:
            ok = True
            for w in range(words):
                if branch.strict[w] & ~met[w]:
                    ok = False
                    break
            if not ok:
                continue
            for bit_index, needed in branch.soft:
                if met[bit_index >> 6] & (<uint64_t>1 << (bit_index & 63)):
                    continue
                for char in needed:
                    if char in norm:
                        break
                else:
                    ok = False
                    break
            if not ok:
                continue
            if not branch.has_variants:
                m = branch.regex.search(norm)
                if m is not None:
                    _search(branch, branch.regex, m, norm, size, excs, hits)
                continue
            # Only the variants whose opening literal the text contains can match: one, most
            # often, tried alone; with several, the branch itself. Every match starts where
            # such a literal does, so it is tried at those places only: the same matches as
            # a search, without scanning the text between them.
            n_present = 0
            bit_index = -1
            for w in range(words):
                present = met[w] & branch.variant_mask[w]
                while present:
                    n_present += 1
                    bit_index = 64 * w + _lowest_bit(present)
                    present &= present - 1
            if n_present == 0:
                continue
            regex = branch.by_bit[bit_index] if n_present == 1 else branch.regex
            starts = <int*>PyMem_Malloc((places.size + 1) * sizeof(int))
            if starts == NULL:
                raise MemoryError
            try:
                n = 0
                for i in range(places.size):
                    e = places.items[i].rule
                    for w in range(words):
                        if self.masks[e * words + w] & branch.variant_mask[w]:
                            starts[n] = places.items[i].start
                            n += 1
                            break
                _sort_ints(starts, n)
                _match_at(branch, regex, starts, n, norm, excs, hits)
            finally:
                PyMem_Free(starts)
        scan.findings = self._findings(text, folded, plan.heads, hits, excs)
        return scan

    cdef list _findings(self, str text, Folded folded, tuple heads, _Spans hits, _Spans excs):
        # Sorted by rule: a hit an exception of its rule overlaps is dropped, and the
        # overlapping hits of one rule merge into one finding.
        cdef list findings = []
        cdef int i, j, rule = -1, start = 0, end = 0, s = 0, e = 0, r = 0, s0, e0
        cdef bint hidden
        cdef Hit* h
        if hits.size == 0:
            return findings
        qsort(hits.items, hits.size, sizeof(Hit), _by_rule_then_span)
        for i in range(hits.size + 1):
            if i < hits.size:
                h = &hits.items[i]
                r, s, e = h.rule, h.start, h.end
                hidden = False
                for j in range(excs.size):
                    if excs.items[j].rule == r and excs.items[j].start < e and s < excs.items[j].end:
                        hidden = True
                        break
                if hidden:
                    continue
                if r == rule and s < end:
                    if e > end:
                        end = e
                    continue
            if rule >= 0:
                s0 = folded.starts[start]
                e0 = folded.ends[end - 1]
                findings.append(
                    tuple.__new__(self.finding, <tuple>heads[rule] + (s0, e0, text[s0:e0]))
                )
            if i < hits.size:
                rule, start, end = r, s, e
        return findings


cdef void _sort_ints(int* items, int n) noexcept nogil:
    """Insertion sort: a branch has a few places to try."""
    cdef int i, j, x
    for i in range(1, n):
        x = items[i]
        j = i - 1
        while j >= 0 and items[j] > x:
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = x


cdef inline int _lowest_bit(uint64_t x) noexcept nogil:
    cdef int n = 0
    while not x & 1:
        x >>= 1
        n += 1
    return n


cdef class _Spans:
    """A growable C array of (rule, start, end)."""

    cdef Hit* items
    cdef int size
    cdef int cap

    def __cinit__(self):
        self.cap = 32
        self.size = 0
        self.items = <Hit*>PyMem_Malloc(self.cap * sizeof(Hit))
        if self.items == NULL:
            raise MemoryError

    def __dealloc__(self):
        PyMem_Free(self.items)

    cdef int add(self, int rule, int start, int end) except -1:
        if self.size == self.cap:
            self.cap *= 2
            self.items = <Hit*>_grow(self.items, self.cap * sizeof(Hit))
        self.items[self.size].rule = rule
        self.items[self.size].start = start
        self.items[self.size].end = end
        self.size += 1
        return 0


cdef int _match_at(Branch branch, regex, const int* starts, int n, str norm, _Spans excs,
                   _Spans hits) except -1:
    """:func:`_search` for a branch whose matches all start at one of ``starts`` (ascending,
    repeats allowed): each place at or past the last match's end (a rejected match's start,
    plus one) is tried with ``match``."""
    cdef Py_ssize_t pos = 0, next_pos
    cdef int k
    match = regex.match
    for k in range(n):
        if starts[k] < pos:
            continue
        m = match(norm, starts[k])
        if m is not None:
            next_pos = _take(branch, m, excs, hits)
            pos = next_pos if next_pos >= 0 else starts[k] + 1
    return 0


cdef Py_ssize_t _take(Branch branch, m, _Spans excs, _Spans hits) except -2:
    """Records match ``m`` of ``branch`` unless an exception of its rule or a validator
    rejects it; returns where the next match may start, or -1 when it was rejected."""
    cdef Py_ssize_t mstart, mend, start, end
    cdef int rule = branch.rule, j
    mstart, mend = m.span()
    start, end = mstart, mend
    for name in branch.hit_groups:
        if m.start(name) >= 0:
            start, end = m.span(name)
            break
    if end <= start:
        return -1
    for j in range(excs.size):
        if excs.items[j].rule == rule and excs.items[j].start < end and start < excs.items[j].end:
            return -1
    for name, valid in branch.validated:
        group = m.group(name)
        if group is not None and not valid(group):
            return -1
    hits.add(rule, start, end)
    return mend if mend > mstart else mstart + 1


cdef int _search(Branch branch, regex, m, str norm, Py_ssize_t size, _Spans excs,
                 _Spans hits) except -1:
    """Every hit of ``regex`` from its first match ``m`` on, each recorded unless an exception
    of the rule or a validator rejects it; a rejected match is retried one character later
    (``engine._search``, on C arrays)."""
    cdef Py_ssize_t pos
    search = regex.search
    while m is not None:
        pos = _take(branch, m, excs, hits)
        if pos < 0:
            pos = m.start() + 1
        m = search(norm, pos) if pos <= size else None
    return 0


cdef class Scan:
    """What the disclosure and persona rules read of one scanned text."""

    cdef readonly list findings
    cdef readonly Folded folded
    cdef uint64_t* met
    cdef int words
    cdef int rules
    cdef int* trig_start
    cdef int* trig_end
    cdef int* excepted

    def __dealloc__(self):
        PyMem_Free(self.met)
        PyMem_Free(self.trig_start)
        PyMem_Free(self.trig_end)
        PyMem_Free(self.excepted)

    @property
    def met_bits(self):
        """The requirements the text meets, as the Python path's int of bits."""
        bits = 0
        for w in range(self.words):
            bits |= (<object>self.met[w]) << (64 * w)
        return bits

    def trigger(self, int rule):
        """The first, longest trigger of a disclosure rule as a normalised span, or None."""
        if self.trig_start[rule] < 0:
            return None
        return (self.trig_start[rule], self.trig_end[rule])

    def excepted_by(self, int rule):
        """Whether one of the rule's exceptions is in the text."""
        return bool(self.excepted[rule])
