#!/bin/sh
# nomalloc.sh OBJECT NM - the library object has no undefined reference to an allocator.
set -u
bad=$("${2:-nm}" -u "$1" | awk '{print $NF}' | grep -xE 'malloc|calloc|realloc|free' | tr '\n' ' ')
if [ -n "$bad" ]; then
    echo "$1 calls: $bad"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "$1: no malloc, calloc, realloc or free"
echo "1 passed, 0 failed"
