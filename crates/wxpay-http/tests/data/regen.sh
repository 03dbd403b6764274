#!/usr/bin/env bash
# Regenerates the second platform certificate used by the rotation tests (test-only material).
set -euo pipefail
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out platform2_key.pem
openssl req -new -x509 -key platform2_key.pem -days 3650 -set_serial 0x3A7B2C9D11E4F5061728394A5B6C7D8E9F0A1B2C \
  -subj "/CN=wxpay test platform certificate 2/O=wxpay tests" -out platform2_cert.pem
