#!/usr/bin/env bash
# Regenerates the test-only key material of wxpay-http's tests (see README.md).
set -euo pipefail
cd "$(dirname "$0")"

# Second platform certificate, used by the rotation tests.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out platform2_key.pem
openssl req -new -x509 -key platform2_key.pem -days 3650 -set_serial 0x3A7B2C9D11E4F5061728394A5B6C7D8E9F0A1B2C \
  -subj "/CN=wxpay test platform certificate 2/O=wxpay tests" -out platform2_cert.pem

# TLS tests: a test CA, a server certificate for localhost / 127.0.0.1 signed by it, and a
# second ("rogue") CA with its own localhost certificate that the client must refuse. Valid from
# 2000 to 2125 so that the tests neither depend on the machine's clock being recent nor expire.
sign() { # csr out ca_cert ca_key extfile [-selfsign]
  local db; db="$(mktemp -d)"; touch "$db/index.txt"
  printf '%s\n' "[ca]" "default_ca=d" "[d]" "database=$db/index.txt" "new_certs_dir=$db" \
    "serial=$db/serial" "default_md=sha256" "policy=p" "[p]" "commonName=supplied" \
    "organizationName=optional" > "$db/ca.cnf"
  openssl rand -hex 16 > "$db/serial"
  openssl ca -batch -notext -config "$db/ca.cnf" -in "$1" -out "$2" -cert "$3" -keyfile "$4" \
    -extfile "$5" -startdate 20000101000000Z -enddate 21250101000000Z ${6:-}
  rm -rf "$db"
}
tls_pair() { # name subject issuer(empty: self-signed CA)
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1_key.pem"
  openssl req -new -key "$1_key.pem" -subj "$2" -out "$1.csr"
  if [ -z "$3" ]; then
    printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
      "subjectKeyIdentifier=hash" > "$1.ext"
    sign "$1.csr" "$1_cert.pem" /dev/null "$1_key.pem" "$1.ext" -selfsign
  else
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      "authorityKeyIdentifier=keyid" > "$1.ext"
    sign "$1.csr" "$1_cert.pem" "$3_cert.pem" "$3_key.pem" "$1.ext"
  fi
  rm -f "$1.csr" "$1.ext"
}
tls_pair test_ca "/CN=wxpay test CA/O=wxpay tests" ""
tls_pair tls_server "/CN=localhost/O=wxpay tests" test_ca
tls_pair rogue_ca "/CN=wxpay rogue test CA/O=wxpay tests" ""
tls_pair rogue_server "/CN=localhost/O=wxpay tests" rogue_ca
rm -f test_ca_key.pem rogue_ca_key.pem # nothing else is ever signed with them
