#!/bin/sh
# run.sh MACHINE IMAGE.elf - run a test image on an emulated board under qemu with ARM
# semihosting; the image prints its own "N passed, N failed" line and qemu exits with
# main's return value. Without qemu-system-arm the test counts as skipped.
#   MACHINE: mps2-an385 (Cortex-M3) or microbit (Cortex-M0, 16 KiB RAM)
set -u
machine=$1 image=$2
if ! command -v qemu-system-arm >/dev/null 2>&1; then
    echo "qemu-system-arm not installed: $image not run"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
timeout --foreground -k 10 600 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$image"
status=$?
[ $status -eq 124 ] && echo "$image: timed out under qemu"
exit $status
