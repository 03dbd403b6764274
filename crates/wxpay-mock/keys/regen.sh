#!/usr/bin/env bash
# Regenerates the simulator-only key material (changes every value derived from it).
set -euo pipefail
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out wechatpay_key.pem
openssl pkey -in wechatpay_key.pem -pubout -out wechatpay_pub.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out demo_merchant_key.pem
openssl pkey -in demo_merchant_key.pem -pubout -out demo_merchant_pub.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out platform_key.pem
# A self-signed certificate with a fixed serial and a long back-dated validity (needs `openssl ca`
# because OpenSSL 3.0's `req -x509` cannot back-date).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/index.txt"
echo 3A1F6C0D2B7E4F5A8C9D0E1F2A3B4C5D6E7F8091 > "$work/serial"
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = sim
[ sim ]
database = $work/index.txt
serial = $work/serial
new_certs_dir = $work
default_md = sha256
policy = pol
unique_subject = no
[ pol ]
commonName = supplied
organizationName = optional
[ ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
CNF
openssl req -new -key platform_key.pem \
  -subj "/CN=wxpay-mock simulator platform certificate/O=wxpay-mock (simulator only, not WeChat Pay)" \
  -out "$work/p.csr"
openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile platform_key.pem -in "$work/p.csr" \
  -startdate 20200101000000Z -enddate 20991231235959Z -extensions ext -notext -out platform_cert.pem
