"""Checks accelstrat-report --format=html against the JSON and the text
report of the same records (stdlib only).

  html-report.py check PAGE JSON TEXT ROOT
      parses PAGE with html.parser: one section per group, in the JSON's
      order (the text report's headlines, in its order, too), each with its
      kind, saving and members (file:line:col, symbol, name, instructions,
      TUs, similarity, what differs) as the JSON has them; beside each
      other member, the first's source and the member's, every line from
      the function's line to its closing '}', read from ROOT (the compiles'
      directory) with bad UTF-8 as U+FFFD, or "source not available" where
      the file is gone; everything escaped, nothing external.
  html-report.py browser PAGE JSON TEXT ROOT OUT
      renders PAGE in headless Chromium: the DOM it dumps after loading
      passes the same checks, and its screenshot (OUT/page.png,
      1280x2000) is a PNG of more than one colour. Without chromium on
      PATH, says so and exits 0 (lit marks the test UNSUPPORTED first).
Prints what is wrong and exits 1, or prints a summary."""
import html.parser
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

VOID = {"meta", "col", "br", "hr", "img", "input", "link", "wbr", "source"}


class Node:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, dict(attrs), []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)

    def find(self, tag=None, cls=None):
        """Descendants in document order with that tag and class."""
        for c in self.children:
            if isinstance(c, str):
                continue
            if (tag is None or c.tag == tag) and (cls is None or
                                                   cls in c.classes()):
                yield c
            yield from c.find(tag, cls)


class Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def differences(d):
    """What the report says differs (search's ass_differences)."""
    parts = ["%d %s%s" % (n, what, "" if n == 1 else "s")
             for n, what in ((d["instructions"], "instruction"),
                             (d["constants"], "constant"),
                             (d["callees"], "callee")) if n]
    if not parts:
        return ("same instructions, constants and callees; "
                "not merged by mergefunc")
    if len(parts) == 1:
        return "differs in " + parts[0]
    return "differs in " + ", ".join(parts[:-1]) + " and " + parts[-1]


def function_lines(root, m):
    """Line numbers and lines of m's source, from its line to the first
    line that is '}' (how the test's inputs end a function), or None."""
    path = os.path.join(root, m["file"])
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").split("\n")
    first = m["line"] - 1
    last = next(i for i in range(first, len(lines))
                if lines[i].rstrip() == "}")
    return [(i + 1, lines[i]) for i in range(first, last + 1)]


def side(table, cls):
    """(line number, text) of one side of a source table, and whether it
    says its source is not available."""
    got, missing = [], False
    for tr in table.find("tr"):
        cells = [c for c in tr.children if not isinstance(c, str)]
        for i, td in enumerate(cells):
            if td.tag != "td" or cls not in td.classes():
                continue
            if "na" in td.classes():
                missing = missing or td.text().startswith(
                    "source not available")
            elif "e" not in td.classes():
                got.append((int(cells[i - 1].text()), td.text()))
    return got, missing


def check(page, report, text, root, what):
    problems = []

    def expect(cond, msg):
        if not cond:
            problems.append("%s: %s" % (what, msg))

    # The sources hold "<script>": escaped, it is no element.
    expect("<script" not in page.lower(), "a <script> in the page")
    builder = Builder()
    builder.feed(page)
    builder.close()
    doc = builder.root
    # Self-contained: nothing to fetch, no link out of the page.
    for e in doc.find():
        expect(e.tag not in ("script", "link", "img", "iframe", "object",
                             "embed") and "src" not in e.attrs,
               "an external resource: <%s %r>" % (e.tag, e.attrs))
        expect(e.attrs.get("href", "#").startswith("#"),
               "a link out of the page: %r" % e.attrs.get("href"))
    for style in doc.find("style"):
        expect("url(" not in style.text() and "@import" not in style.text(),
               "the style fetches something")
    sections = list(doc.find("section", "group"))
    groups = report["groups"]
    expect(len(sections) == len(groups),
           "%d groups, the JSON has %d" % (len(sections), len(groups)))
    headlines = [line.split(": warning: ", 1)[1].rsplit(" [", 1)[0]
                 for line in text.splitlines() if ": warning: " in line]
    expect(len(headlines) == len(groups), "the text has another count")
    sources = 0
    for n, (sec, g) in enumerate(zip(sections, groups)):
        at = "group %d" % (n + 1)
        expect(sec.attrs.get("id") == "g%d" % (n + 1), at + ": id")
        expect(sec.attrs.get("data-kind") == g["kind"], at + ": kind")
        expect(sec.attrs.get("data-saving") == str(g["saving"]),
               at + ": saving %s, not %s" % (sec.attrs.get("data-saving"),
                                             g["saving"]))
        head = [p.text() for p in sec.find("p", "headline")]
        expect(n < len(headlines) and head == [headlines[n]],
               at + ": headline %r" % head)
        rows = list(sec.find("tr", "member"))
        expect(len(rows) == len(g["members"]), at + ": member count")
        for k, (tr, m) in enumerate(zip(rows, g["members"])):
            mat = "%s member %d" % (at, k + 1)
            a = tr.attrs
            expect((a.get("data-file"), a.get("data-line"), a.get("data-col"),
                    a.get("data-symbol")) ==
                   (m["file"], str(m["line"]), str(m["col"]), m["symbol"]),
                   mat + ": %r" % a)
            cells = [c.text() for c in tr.find("td")]
            want = [str(k + 1), "%s:%d:%d" % (m["file"], m["line"], m["col"]),
                    m["symbol"], m["name"], str(m["instructions"]),
                    str(m["tus"])]
            if k == 0:
                want += ["\u2014", "the first"]
            else:
                want += ["%d%%" % math.floor(100 * m["similarity"] + 1e-9),
                         "identical" if g["kind"] == "identical"
                         else differences(m["differs"])]
            expect(cells == want, mat + ": %r, not %r" % (cells, want))
        tables = list(sec.find("table", "src"))
        expect(len(tables) == min(len(g["members"]) - 1, 16),
               at + ": %d source tables" % len(tables))
        shown = [t.attrs.get("data-member") for t in tables]
        expect(shown == [str(k + 1) for k in range(1, len(tables) + 1)],
               at + ": the sources of members %r" % shown)
        first = function_lines(root, g["members"][0])
        for k, table in enumerate(tables[:len(g["members"]) - 1], 1):
            for cls, lines in (("l", first),
                               ("r", function_lines(root, g["members"][k]))):
                got, missing = side(table, cls)
                tat = "%s, beside member %d, side %s" % (at, k + 1, cls)
                if lines is None:
                    expect(missing and not got,
                           tat + ": no 'source not available'")
                else:
                    expect(got == lines and not missing,
                           tat + ": source %r, not %r" % (got, lines))
                    sources += len(lines)
    for p in problems:
        print(p)
    if not problems:
        print("%s: %d groups in the JSON's order, %d members, %d source "
              "lines" % (what, len(sections),
                         sum(len(g["members"]) for g in groups), sources))
    return not problems


def png_colours(path):
    """Whether the PNG at path has more than one colour, and its size:
    its rows are unfiltered only until a second colour shows up."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0, "an 8-bit, non-interlaced PNG"
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    seen = None
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else
                                    b if pb <= pc else c)) & 255
        pixels = {bytes(row[i:i + bpp]) for i in range(0, stride, bpp)}
        seen = pixels if seen is None else seen | pixels
        if len(seen) > 1:
            return True, (width, height)
        prev = row
    return False, (width, height)


def browser(page_path, report, text, root, out):
    chromium = shutil.which("chromium")
    if not chromium:
        print("SKIPPED: chromium is not installed (utils/install-deps.sh "
              "installs it); the page was not rendered")
        return True
    url = "file://" + os.path.abspath(page_path)
    shot = os.path.join(out, "page.png")
    with tempfile.TemporaryDirectory() as profile:
        base = ["timeout", "60", chromium, "--headless", "--no-sandbox",
                "--disable-gpu", "--user-data-dir=" + profile]
        dom = subprocess.run(base + ["--dump-dom", url], check=True,
                             capture_output=True).stdout.decode("utf-8")
        subprocess.run(base + ["--screenshot=" + shot,
                               "--window-size=1280,2000", url], check=True,
                       capture_output=True)
    ok = check(dom, report, text, root, "chromium's DOM")
    if not os.path.isfile(shot):
        print("no screenshot at %s" % shot)
        return False
    colours, size = png_colours(shot)
    if size != (1280, 2000) or not colours:
        print("screenshot %s: %dx%d, %s" % (
            shot, size[0], size[1], "more than one colour" if colours
            else "a single colour"))
        return False
    print("screenshot %s: 1280x2000, more than one colour" % shot)
    return ok


def main():
    cmd, page_path, json_path, text_path, root = sys.argv[1:6]
    with open(json_path) as f:
        report = json.load(f)
    with open(text_path) as f:
        text = f.read()
    if cmd == "browser":
        ok = browser(page_path, report, text, root, sys.argv[6])
    else:
        with open(page_path, "rb") as f:
            raw = f.read()
        try:
            page = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            print("the page is not UTF-8: %s" % e)
            sys.exit(1)
        ok = check(page, report, text, root, "the page")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
