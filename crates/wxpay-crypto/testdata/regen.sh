#!/usr/bin/env bash
# Regenerates the test key material (changes every known-answer value derived from it).
set -euo pipefail
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out merchant_key.pem
openssl pkey -in merchant_key.pem -pubout -out merchant_pub.pem
openssl rsa -in merchant_key.pem -traditional -out merchant_key_pkcs1.pem
openssl pkey -in merchant_key.pem -outform DER -out merchant_key.der
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out wechatpay_key.pem
openssl pkey -in wechatpay_key.pem -pubout -out wechatpay_pub.pem
openssl req -new -x509 -key wechatpay_key.pem -days 3650 -set_serial 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1 \
  -subj "/CN=wxpay test platform certificate/O=wxpay tests" -out platform_cert.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out small_key.pem
openssl pkey -in small_key.pem -pubout -out small_pub.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec_key.pem
openssl pkey -in ec_key.pem -pubout -out ec_pub.pem
openssl pkcs8 -topk8 -in merchant_key.pem -v2 aes-256-cbc -passout pass:test -out encrypted_pkcs8.pem
openssl rsa -in merchant_key.pem -traditional -aes256 -passout pass:test -out encrypted_pkcs1.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 -out exponent3_key.pem
openssl rsa -pubin -in merchant_pub.pem -RSAPublicKey_out -outform DER -out merchant_pub_pkcs1.der
