#!/bin/sh
# mkcerts.sh DIR - throwaway certificates for tests/test_tls.c, made fresh at every run (they
# expire, so none is committed). Test-only: openssl makes them, the library only reads them.
#   ca.crt/.key          EC P-256 CA "xmpp.h test CA"
#   a.test.crt/.key      server a.test (SAN DNS:a.test, DNS:*.a.test), signed by ca, 30 days
#   a.test.chain         a.test.crt + ca.crt
#   rsa.crt/.key         server a.test with an RSA-2048 key, signed by ca (ECDHE_RSA suites)
#   sha384.crt/.key      server a.test, CA signature ecdsa-with-SHA384 (tls-server-end-point)
#   expired.crt/.key     server a.test, valid 2020-01-01 to 2020-02-01 only (openssl ca)
#   other-ca.crt         another CA; other.crt/.key: a.test signed by it (unknown CA)
#   client.crt/.key      client certificate alice@a.test (EC), signed by ca (mutual TLS)
#   client.sec1          client.key ("PRIVATE KEY", PKCS#8) as "EC PRIVATE KEY" (SEC 1)
#   rsa.pkcs1            rsa.key ("PRIVATE KEY") as "RSA PRIVATE KEY" (PKCS#1)
#   ep-*.crt             self-signed a.test with rsa.key (ep-rsa-md5, -sha1, -sha224, -sha512,
#                        -pss: RSASSA-PSS) or a.test.key (ep-ec-sha1, -sha224, -sha512): the
#                        hash of tls-server-end-point for each signature algorithm
set -eu
d=$1
mkdir -p "$d"
cd "$d"
exec 3>openssl.log
ossl() { openssl "$@" >&3 2>&3; }
ec() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1"; }

ca() {   # ca NAME SUBJECT
    ec "$1.key"
    ossl req -x509 -new -key "$1.key" -out "$1.crt" -days 30 -subj "$2" -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
ext() {  # ext FILE SAN EKU
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$2" "$3" > "$1"
}
leaf() { # leaf NAME CA KEYFILE-READY SUBJECT EXTFILE [x509 options]
    n=$1 c=$2 s=$3 e=$4; shift 4
    ossl req -new -key "$n.key" -out "$n.csr" -subj "$s"
    ossl x509 -req -in "$n.csr" -CA "$c.crt" -CAkey "$c.key" -CAcreateserial -days 30 \
        -out "$n.crt" -extfile "$e" "$@"
}

ca ca "/CN=xmpp.h test CA"
ca other-ca "/CN=some other CA"
ext server.ext "DNS:a.test,DNS:*.a.test" serverAuth,clientAuth
ext client.ext "email:alice@a.test" clientAuth

ec a.test.key;  leaf a.test ca "/CN=a.test" server.ext -sha256
cat a.test.crt ca.crt > a.test.chain
ec sha384.key;  leaf sha384 ca "/CN=a.test" server.ext -sha384
ec other.key;   leaf other other-ca "/CN=a.test" server.ext -sha256
ec client.key;  leaf client ca "/CN=alice@a.test" client.ext -sha256
ossl ec -in client.key -out client.sec1
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
leaf rsa ca "/CN=a.test" server.ext -sha256
ossl rsa -in rsa.key -traditional -out rsa.pkcs1

# expired: openssl ca takes explicit start and end dates
ec expired.key
ossl req -new -key expired.key -out expired.csr -subj "/CN=a.test"
mkdir -p ca.db
: > ca.db/index.txt
echo 1000 > ca.db/serial
cat > ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = any
copy_extensions = none
[ any ]
commonName = supplied
[ leafext ]
subjectAltName = DNS:a.test
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
CNF
ossl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.pem \
    -startdate 20200101000000Z -enddate 20200201000000Z -extensions leafext -notext
ossl x509 -in expired.pem -out expired.crt
# self-signed, one signature algorithm each (tls-server-end-point, RFC 5929 §4.1). A
# system whose crypto policy forbids signing with MD5 or SHA-1 (RHEL, Fedora) refuses
# some: those are left out with a note, and test_tls skips them (a failure under CI=true;
# Debian signs them all)
ep() {   # NAME KEY HASH [OPTIONS]: ep-NAME.crt, or none and a note
    n=$1 k=$2 h=$3; shift 3
    ossl req -x509 -new -key "$k" -out "ep-$n.crt" -days 30 -subj /CN=a.test "-$h" "$@" ||
        { rm -f "ep-$n.crt"; echo "mkcerts: this OpenSSL would not sign with $h: ep-$n.crt left out" >&2; }
}
for h in md5 sha1 sha224 sha512; do ep rsa-$h rsa.key $h; done
ep rsa-pss rsa.key sha256 -sigopt rsa_padding_mode:pss
for h in sha1 sha224 sha512; do ep ec-$h a.test.key $h; done
# DER copies for the tests that compare hashes and feed DER
for n in a.test sha384 rsa ca ep-rsa-md5 ep-rsa-sha1 ep-rsa-sha224 ep-rsa-sha512 ep-rsa-pss ep-ec-sha1 ep-ec-sha224 ep-ec-sha512; do
    [ ! -e $n.crt ] || ossl x509 -in $n.crt -outform DER -out $n.der
done
echo ok
