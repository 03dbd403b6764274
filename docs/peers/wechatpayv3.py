# Peer measurement: Python wechatpayv3 (PyPI 2.0.4, cryptography/OpenSSL) on the same inputs as
# our benches: an Authorization header for a 256-byte POST, and opening the spec's A.5 callback.
import os, sys, time, json, statistics
# `pip install --target /tmp/peers/py wechatpayv3`, or set WECHATPAYV3_PATH.
sys.path.insert(0, os.environ.get('WECHATPAYV3_PATH', '/tmp/peers/py'))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from wechatpayv3.utils import build_authorization, load_private_key, load_public_key, rsa_verify, aes_decrypt
T = ROOT + '/crates/wxpay-crypto/testdata/'
key = load_private_key(open(T + 'merchant_key.pem').read())
pub = load_public_key(open(T + 'spec_a1_pub.pem').read())
prefix = '{"coupon_code":"sxxe34343434","stock_id":"100088","pad":"'
body = prefix + 'x' * (254 - len(prefix)) + '"}'
assert len(body) == 256
src = open(ROOT + '/crates/wxpay-model/benches/open.rs').read()
def const(name):
    i = src.index('const ' + name)
    if 'r#"' in src[i:i+40]:
        s = src.index('r#"', i) + 3; return src[s:src.index('"#', s)]
    s = src.index('"', i) + 1; return src[s:src.index('"', s)]
cb_body, sig, ts, nonce = const('BODY:'), const('SIGNATURE:'), const('TIMESTAMP:'), const('NONCE:')
apiv3 = '0123456789abcdefghijklmnopqrstuv'
def sign_once():
    return build_authorization('/v3/marketing/busifavor/coupons/use', 'POST', '1900009191', 'SERIAL', key, data=body)
def open_once():
    assert rsa_verify(ts, nonce, cb_body, sig, pub)
    r = json.loads(cb_body)['resource']
    return json.loads(aes_decrypt(r['nonce'], r['ciphertext'], r['associated_data'], apiv3))
assert open_once()['coupon_code']
def rate(f, n, runs=5):
    per = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(n): f()
        per.append((time.perf_counter() - t) / n)
    m = statistics.median(per)
    return 1 / m, m * 1e6
for name, f, n in [('authorization', sign_once, 2000), ('callback_open', open_once, 10000)]:
    r, us = rate(f, n)
    print(f'python wechatpayv3 {name}: {r:,.0f}/s ({us:.1f} us)')
