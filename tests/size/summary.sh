#!/bin/sh
# summary.sh OUTDIR - the table `make size` ends with: per layer, on the Cortex-M0+, the flash
# of its probe image (text + rodata, from `size -A` of the images the other size scripts
# built in OUTDIR: each probe links what its layer needs, so the later rows include the
# earlier ones), the RAM it needs (its state struct; the library has no static data of its
# own), and the peak stack measured on the emulated Cortex-M0 (qemu microbit: a painted
# stack read back, tests/firmware/stack_*.c and login.c, images in build/m0).
set -u
out=${1:-build/size}
m0=${2:-build/m0}
flash() { [ -r "$1" ] && arm-none-eabi-size -A "$1" | awk '$1==".text"||$1==".rodata"{s+=$2} END{print s+0}' || echo "-"; }
state() { [ -r "$1" ] && arm-none-eabi-nm -S "$1" | awk -v n="$2" '$4==n{print $2}' | while read -r h; do echo $((0x$h)); done || echo "-"; }
stack() { [ -r "$1" ] && tests/firmware/run.sh microbit "$1" 2>/dev/null | grep -o "$2[^;]*" | grep -o '[0-9][0-9]* bytes' | head -n 1 || echo "-"; }
xs=$(stack "$m0/stack_xml.elf" 'tokenizer peak stack: ')
ss=$(stack "$m0/stack_sasl.elf" 'SCRAM client peak stack: ')
ls=$(stack "$m0/login.elf" 'peak stack ')
echo "Cortex-M0+, -Os -mthumb         flash (text+rodata)   state (RAM, bytes)          peak stack (Cortex-M0)"
printf '%-32s %10s            %-27s %s\n' "tokenizer (>>xml)" "$(flash "$out/cortex-m0plus-thumb.elf")" \
    "xmpp_xml $(state "$out/cortex-m0plus-thumb.elf" xmpp_sizeof_xml) + buffer" "$xs"
printf '%-32s %10s            %-27s %s\n' "+ stanzas (>>stanza)" "$(flash "$out/stanza-cortex-m0plus-thumb.elf")" \
    "xmpp_tree $(state "$out/stanza-cortex-m0plus-thumb.elf" xmpp_sizeof_tree) + arena" "-"
printf '%-32s %10s            %-27s %s\n' "JIDs alone (>>jid)" "$(flash "$out/jid-cortex-m0plus-thumb.elf")" \
    "xmpp_jid $(state "$out/jid-cortex-m0plus-thumb.elf" xmpp_sizeof_jid)" "-"
printf '%-32s %10s            %-27s %s\n' "crypto + SASL client (>>sasl)" "$(flash "$out/sasl-Cortex-M0---SHA-1-and-SHA-256.elf")" \
    "xmpp_sasl $(state "$out/sasl-Cortex-M0---SHA-1-and-SHA-256.elf" xmpp_sizeof_sasl)" "$ss (a SCRAM login)"
printf '%-32s %10s            %-27s %s\n' "the whole client (>>stream)" "$(flash "$out/stream-cortex-m0plus-thumb.elf")" \
    "xmpp_stream $(state "$out/stream-cortex-m0plus-thumb.elf" xmpp_sizeof_stream) + memory" "$ls (a login, 2 KiB arena)"
