"""Whether two ELF objects differ only by the index section: every other
section's bytes equal, except LLVM's string table, which holds the section
names too (.strtab, the new name added), and the symbol table, whose name
offsets point into it: those two are compared decoded (each symbol's name,
value, size, type, binding and section by name: with -g the debug sections
come after the index section, so their indices move up one). Prints what differs;
exits 1 if anything does."""
import subprocess
import sys

SECTION = ".accelstrat.index"


def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout


def section_rows(path):
    """Section index -> (name, type, size)."""
    rows = {}
    for line in run("llvm-readelf", "-S", "-W", path).decode().splitlines():
        line = line.strip()
        if line.startswith("[") and not line.startswith("[Nr]") and "]" in line:
            index = int(line[1:line.index("]")])
            rest = line[line.index("]") + 1:].split()
            if len(rest) >= 5 and rest[0] != "NULL":
                rows[index] = (rest[0], rest[1], rest[4])
    return rows


def section_table(path):
    """Section index -> name."""
    return {i: row[0] for i, row in section_rows(path).items()}


def section_names(path):
    return [name for _, name in sorted(section_table(path).items())]


def contents(path, name):
    """The section's bytes; for one without any (NOBITS: .bss), its size."""
    for row in section_rows(path).values():
        if row[0] == name and row[1] == "NOBITS":
            return ("NOBITS", row[2])
    return run("llvm-objcopy", "--dump-section", name + "=/dev/stdout", path,
               "/dev/null")


def symbols(path):
    """Each symbol with its section by name: the index section takes a
    section index, so with -g the debug sections after it move up one."""
    table = section_table(path)
    rows = []
    for line in run("llvm-readelf", "-s", "-W", path).decode().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            if f[6].isdigit():
                f[6] = table.get(int(f[6]), f[6])
            rows.append(tuple(f[1:]))
    return rows


plain, indexed = sys.argv[1], sys.argv[2]
a, b = section_names(plain), section_names(indexed)
problems = []
if [n for n in b if n != SECTION] != a:
    problems.append("sections: %s against %s" % (a, b))
if SECTION not in b:
    problems.append("no %s section" % SECTION)
for name in a:
    if name in (".strtab", ".symtab"):
        continue
    if contents(plain, name) != contents(indexed, name):
        problems.append("section %s differs" % name)
strings_a = set(contents(plain, ".strtab").split(b"\0"))
strings_b = set(contents(indexed, ".strtab").split(b"\0"))
if strings_b - strings_a != {SECTION.encode()} or strings_a - strings_b:
    problems.append("string tables differ beyond the section's name")
if symbols(plain) != symbols(indexed):
    problems.append("symbol tables differ")
for p in problems:
    print(p)
print("same but the index section" if not problems else "DIFFERENT")
sys.exit(1 if problems else 0)
