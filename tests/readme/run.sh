#!/bin/sh
# run.sh [CC] - every C example in README.md (each ```c block) must compile against
# xmpp.h: the block goes into a function body after tests/readme/prelude.h, which declares
# what the examples leave to the reader (the chunk received, a send function, an RNG...).
# Catches an example that calls a function renamed, with the wrong arguments or types.
# Compiled with -fsyntax-only, -std=c99 -Wall -Wextra -pedantic -Werror (unused values
# allowed: the examples show calls, not whole programs).
set -u
cc=${1:-gcc}
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-readme.XXXXXX") || { echo "0 passed, 1 failed"; exit 1; }
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
# split README.md's ```c blocks into dir/N.c (N from 1), each with its first line number
awk -v dir="$dir" '
    /^```c[ \t]*$/ { n++; f = dir "/" n ".body"; print NR > (dir "/" n ".line"); close(dir "/" n ".line"); inb = 1; next }
    /^```/ { if (inb) close(f); inb = 0; next }
    inb { print > f }
' "$root/README.md"
n=0
for body in "$dir"/*.body; do
    [ -e "$body" ] || break
    n=$((n + 1))
    k=$(basename "$body" .body)
    line=$(cat "$dir/$k.line")
    {
        # the block's own #define/#include lines go first, at file scope
        grep '^#' "$body"
        printf '#include "%s/xmpp.h"\n#include "%s/prelude.h"\nvoid readme_example(void);\nvoid readme_example(void)\n{\n' "$root" "$here"
        printf '#line %d "README.md"\n' "$((line + 1))"
        grep -v '^#' "$body"
        printf '}\n'
    } >"$dir/$k.c"
    bearssl=
    grep -q '^#define XMPP_BEARSSL' "$body" && bearssl=1
    if [ -n "$bearssl" ] && [ ! -e /usr/include/bearssl.h ]; then
        echo "FAIL README.md:$line: the example needs bearssl.h (libbearssl-dev)"
        fail=$((fail + 1))
        continue
    fi
    if $cc -I"$root" -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -pedantic -Werror -Wno-unused-variable \
            -Wno-unused-value -Wno-unused-but-set-variable -fsyntax-only "$dir/$k.c" 2>"$dir/$k.err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL README.md:$line: the example does not compile:"
        head -n 8 "$dir/$k.err"
    fi
done
[ "$n" -gt 0 ] || { echo "no \`\`\`c block found in README.md"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
