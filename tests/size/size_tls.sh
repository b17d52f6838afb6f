#!/bin/sh
# size_tls.sh OUTDIR - the TLS layer for Cortex-M0+ (arm-none-eabi-gcc -Os -mthumb):
#   the hook alone (freestanding, --gc-sections: the xmpp_tls_* dispatchers), and the
#   BearSSL backend's state size on the 32-bit target (bearssl.h compiled for ARM; the
#   backend's code is not measured: Debian has no BearSSL built for ARM).
set -u
here=$(dirname "$0")
out=${1:-build/size}
mkdir -p "$out"
cc=arm-none-eabi-gcc
command -v $cc >/dev/null 2>&1 || { echo "size_tls: $cc not installed"; exit 1; }
flags="-Os -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror -mthumb -mcpu=cortex-m0plus"
$cc $flags -ffreestanding -ffunction-sections -fdata-sections -nostdlib -Wl,--gc-sections -Wl,-e,entry \
    "$here/size_tls.c" -o "$out/tls-hook.elf" -lgcc || exit 1
# sym FILE REGEX: the sum of the sizes of the symbols matching REGEX (nm -S)
sym() { total=0; for h in $(arm-none-eabi-nm -S "$1" | awk -v r="$2" '$4 ~ r { print $2 }'); do
        total=$((total + 0x$h)); done; echo $total; }
code=$(sym "$out/tls-hook.elf" '^xmpp_tls_')
echo "TLS hook (cortex-m0plus): code $code bytes (13 dispatchers); sizeof(xmpp_tls) = one pointer"
if [ -r /usr/include/bearssl/bearssl.h ]; then
    $cc $flags -DXMPP_BEARSSL -isystem /usr/include/bearssl -c "$here/size_tls.c" -o "$out/tls-bearssl.o" || exit 1
    f="$out/tls-bearssl.o"
    echo "BearSSL backend state (cortex-m0plus): sizeof(xmpp_tls_bearssl) $(sym "$f" '^xmpp_sizeof_tls_bearssl$')" \
         "(br_ssl_client_context $(sym "$f" '^xmpp_sizeof_br_client$'), br_x509_minimal_context $(sym "$f" '^xmpp_sizeof_br_x509$'))," \
         "plus the buffer: XMPP_TLS_BUF_SIZE(9, 0) = 837 .. XMPP_TLS_BUF_SIZE(14, 1) = 33178"
    echo "BearSSL backend code: see the Cortex-M4 client below (BearSSL built from source)"
else
    echo "BearSSL backend: bearssl.h not installed"
fi
