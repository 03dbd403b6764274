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
# Certificates with unusual serials and a far-future GeneralizedTime validity (security review).
openssl req -new -x509 -key wechatpay_key.pem -days 3650 -set_serial 0x0A1B2C3D4E5F60718293A4B5C6D7E8F901234567 \
  -subj "/CN=wxpay test serial with a leading zero nibble" -out cert_serial_zero_nibble.pem
openssl req -new -x509 -key wechatpay_key.pem -days 3650 -set_serial 0 -subj "/CN=wxpay test serial zero" -out cert_serial_zero.pem
openssl req -new -x509 -key wechatpay_key.pem -days 3650 -set_serial -5 -subj "/CN=wxpay test negative serial" -out cert_serial_negative.pem
openssl req -new -x509 -key wechatpay_key.pem -days $(( ( $(date -u -d 9999-12-31 +%s) - $(date -u +%s) ) / 86400 )) \
  -set_serial 0x7FEE -subj "/CN=wxpay test valid until 9999" -out cert_until_9999.pem
# Large keys: RSA-4096 (the largest ring signs with), RSA-8192 (the largest ring verifies with;
# its signature is made by OpenSSL), RSA-8200 (too large to verify with; public half only).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096_key.pem
openssl pkey -in rsa4096_key.pem -pubout -out rsa4096_pub.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:8192 -out rsa8192_key.pem
openssl pkey -in rsa8192_key.pem -pubout -out rsa8192_pub.pem
printf '1722850421\nd824f2e086d3c1df967785d13fcd22ef\n{"rsa":8192}\n' \
  | openssl dgst -sha256 -sign rsa8192_key.pem | base64 -w0 > rsa8192_sig.b64
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:8200 -out rsa8200_key.tmp.pem
openssl pkey -in rsa8200_key.tmp.pem -pubout -out rsa8200_pub.pem
rm rsa8200_key.tmp.pem
