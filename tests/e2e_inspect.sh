#!/bin/sh
# End to end: what `gradtop inspect` says about awkward input.  Data from a
# pipe is read, not taken for an empty file; the loader's messages say what
# is wrong (only blank lines, a number beyond the float range, a labels file
# given as the dataset, a decimal comma, a NUL byte, a file larger than half
# the memory); a quoted field of megabytes is read; the delimiter, detected
# or given, is named; names from the data are escaped so that they can't
# break the table; "1 class"; and a failed write to standard output exits 1.
set -u
E2E=e2e_inspect
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

# A pipe is read as a stream, like a file.
cat datasets/iris.csv | timeout 60 "$G" inspect /dev/stdin >"$T/pipe.out" 2>"$T/pipe.err"
check "inspect of a pipe exits 0" [ $? -eq 0 ]
check "and sees its 150 rows" grep -q "^rows      150\$" "$T/pipe.out"
check "and its 3 classes" grep -q "^task      classification, 3 classes\$" "$T/pipe.out"
mkfifo "$T/fifo"
(timeout 60 cat datasets/wine.csv >"$T/fifo" &)
timeout 60 "$G" inspect "$T/fifo" >"$T/fifo.out" 2>&1
check "a FIFO is read too" grep -q "^rows      178\$" "$T/fifo.out"
gzip -c datasets/iris.csv | timeout 60 "$G" inspect /dev/stdin >/dev/null 2>"$T/gz.err"
check "gzip data from a pipe exits 2" [ $? -eq 2 ]
check "and says it needs a file" grep -q "/dev/stdin: IDX or gzip data from a pipe" "$T/gz.err"

printf '\n  \n\r\n\n' >"$T/blank.csv"
timeout 60 "$G" inspect "$T/blank.csv" >/dev/null 2>"$T/blank.err"
check "a file of blank lines exits 2" [ $? -eq 2 ]
check "and says it has only blank lines" grep -q "blank.csv: no rows (only blank lines)\$" "$T/blank.err"
: >"$T/empty.csv"
timeout 60 "$G" inspect "$T/empty.csv" >/dev/null 2>"$T/empty.err"
check "an empty file is said to be empty" grep -q "empty.csv: empty file, no rows\$" "$T/empty.err"

printf 'a,b,y\n1,2,0\n3,1e39,1\n' >"$T/big.csv"
timeout 60 "$G" inspect "$T/big.csv" >/dev/null 2>"$T/big.err"
check "a number beyond the float range exits 2" [ $? -eq 2 ]
check "and says so, naming line and column" \
    grep -q "big.csv:3:2: column 'b': \"1e39\" is outside the range of a float" "$T/big.err"

cp tests/data/idx/tiny-labels-idx1-ubyte "$T/small-labels-idx1-ubyte"
timeout 60 "$G" inspect "$T/small-labels-idx1-ubyte" >/dev/null 2>"$T/lab.err"
check "a labels file as the dataset exits 2" [ $? -eq 2 ]
check "and is said to be a labels file, the images file needed" \
    grep -q "small-labels-idx1-ubyte: this is an IDX labels file.*give the images file" "$T/lab.err"

# A class name with a newline, an escape sequence and a feature name with a
# tab: shown escaped, one table row each.
printf 'a\tb,y\n1,"y\nz"\n2,"y\nz"\n3,"\033[31mred"\n' >"$T/ctl.csv"
timeout 60 "$G" inspect "$T/ctl.csv" >"$T/ctl.out" 2>&1
check "inspect of odd names exits 0" [ $? -eq 0 ]
check "a newline in a class name is shown as \\n" grep -q '^  y\\nz  *2  ' "$T/ctl.out"
check "an escape character as \\x1B" grep -q '^  \\x1B\[31mred  *1  ' "$T/ctl.out"
check "a tab in a feature name as \\t" grep -q '^  a\\tb  ' "$T/ctl.out"
check "no raw control character reaches the output" \
    sh -c '! LC_ALL=C grep -q "$(printf "\033")" "$1" && ! grep -q "^z" "$1"' sh "$T/ctl.out"

printf 'a,y\n1,cat\n2,cat\n' >"$T/one.csv"
timeout 60 "$G" inspect "$T/one.csv" >"$T/one.out" 2>&1
check "one class is \"1 class\"" grep -q "^task      classification, 1 class\$" "$T/one.out"

# A semicolon file, as spreadsheets save CSV in many locales: its delimiter
# is detected and named; --delimiter still forces one.
printf 'a;b;label\r\n1.5;2;x\r\n3;4;y\r\n' >"$T/semi.csv"
timeout 60 "$G" inspect "$T/semi.csv" >"$T/semi.out" 2>"$T/semi.err"
check "a semicolon file is read" [ $? -eq 0 ]
check "its delimiter is said to be detected" \
    grep -q "^delimiter semicolon ';' (detected; --delimiter sets another)\$" "$T/semi.out"
check "and it has 2 features" grep -q "^features  2\$" "$T/semi.out"
timeout 60 "$G" inspect --delimiter '|' "$T/semi.csv" >/dev/null 2>"$T/semi_forced.err"
check "a delimiter given is used" [ $? -eq 2 ]
check "and named when it splits nothing" \
    grep -q "semi.csv:1: only one column.*is pipe '|' the right delimiter?" "$T/semi_forced.err"
timeout 60 "$G" inspect --delimiter '\t' "$T/semi.csv" >/dev/null 2>"$T/semi_tab.err"
check "and a tab given as \\t is one" grep -q "is tab the right delimiter?" "$T/semi_tab.err"
printf 'x\ty\n1\t2\n' | timeout 60 "$G" inspect /dev/stdin >"$T/tab.out" 2>&1
check "a tab-separated pipe is detected" \
    grep -q "^delimiter tab (detected; --delimiter sets another)\$" "$T/tab.out"
timeout 60 "$G" inspect --delimiter , iris >"$T/iris.out" 2>&1
check "a delimiter given is said to be given" grep -q "^delimiter comma ',' (--delimiter)\$" "$T/iris.out"
timeout 60 "$G" inspect spiral >"$T/spiral.out" 2>&1
check "a generated set has no delimiter line" sh -c '! grep -q "^delimiter" "$1"' sh "$T/spiral.out"
# its coordinates are x1 and x2, as --features and the views call them
check "a generated set's features are x1 and x2" \
    [ "$(awk '$1 == "feature" { on = 1; next } on && NF == 5 { printf "%s ", $1 }' "$T/spiral.out")" = "x1 x2 " ]

# Decimal commas, NUL bytes: said so, at line and column.
printf 'a;b;label\n5,1;3,5;x\n' >"$T/dc.csv"
timeout 60 "$G" inspect "$T/dc.csv" >/dev/null 2>"$T/dc.err"
check "a decimal comma exits 2" [ $? -eq 2 ]
check "and is said to be one, at line and column" \
    grep -q "dc.csv:2:1: column 'a': \"5,1\" appears to use a decimal comma" "$T/dc.err"
printf 'a,b,label\n1,2,x\n3,4\000,y\n' >"$T/nul.csv"
timeout 60 "$G" inspect "$T/nul.csv" >/dev/null 2>"$T/nul.err"
check "a NUL byte is named at its line and column" grep -q "nul.csv:3:2: NUL byte" "$T/nul.err"

# A (sparse) file larger than half the memory is refused before reading,
# as a runtime failure naming the file; no field has a size limit of its own.
mem=$(($(getconf _PHYS_PAGES) * $(getconf PAGESIZE)))
truncate -s $((mem / 2 + 4096)) "$T/huge.csv"
timeout 60 "$G" inspect "$T/huge.csv" >/dev/null 2>"$T/huge.err"
check "a file larger than half the memory exits 1" [ $? -eq 1 ]
check "and says so, naming the file" \
    grep -q "huge.csv: .* GB, more than half of this machine's .* GB of memory: too large" "$T/huge.err"
rm -f "$T/huge.csv"
awk 'BEGIN { printf "a,b,label\n1,2,\""; for (i = 0; i < 2200000; i++) printf "x"; printf "\"\n3,4,y\n" }' >"$T/long.csv"
timeout 60 "$G" inspect "$T/long.csv" >"$T/long.out" 2>&1
check "a quoted field of 2.2 MB is read" grep -q "^rows      2\$" "$T/long.out"

timeout 60 "$G" inspect iris >/dev/full 2>"$T/full.err"
check "inspect that can't write its output exits 1" [ $? -eq 1 ]
check "and says why" grep -q "^gradtop: standard output: No space left on device\$" "$T/full.err"

check_done
