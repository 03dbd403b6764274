// Peer measurement: Node wechatpay-axios-plugin (npm, Node crypto/OpenSSL), same inputs as ours.
const { readFileSync } = require('fs');
const path = require('path');
// `npm install wechatpay-axios-plugin` in /tmp/peersnode, or set PEER_NODE_MODULES.
const modules = process.env.PEER_NODE_MODULES || '/tmp/peersnode/node_modules';
const { Rsa, Formatter, Aes } = require(path.join(modules, 'wechatpay-axios-plugin'));
const ROOT = path.resolve(__dirname, '../..');
const T = ROOT + '/crates/wxpay-crypto/testdata/';
const key = Rsa.from(readFileSync(T + 'merchant_key.pem'), 'private');
const pub = Rsa.from(readFileSync(T + 'spec_a1_pub.pem'), 'public');
const prefix = '{"coupon_code":"sxxe34343434","stock_id":"100088","pad":"';
const body = prefix + 'x'.repeat(254 - prefix.length) + '"}';
const src = readFileSync(ROOT + '/crates/wxpay-model/benches/open.rs', 'utf8');
function constant(name) {
  const i = src.indexOf('const ' + name);
  if (src.slice(i, i + 40).includes('r#"')) { const s = src.indexOf('r#"', i) + 3; return src.slice(s, src.indexOf('"#', s)); }
  const s = src.indexOf('"', i) + 1; return src.slice(s, src.indexOf('"', s));
}
const cbBody = constant('BODY:'), sig = constant('SIGNATURE:'), ts = constant('TIMESTAMP:'), nonce = constant('NONCE:');
const apiv3 = '0123456789abcdefghijklmnopqrstuv';
function signOnce() {
  const n = Formatter.nonce(), t = Formatter.timestamp();
  const s = Rsa.sign(Formatter.request('POST', '/v3/marketing/busifavor/coupons/use', t, n, body), key);
  return Formatter.authorization('1900009191', n, s, t, 'SERIAL');
}
function openOnce() {
  if (!Rsa.verify(Formatter.response(ts, nonce, cbBody), sig, pub)) throw new Error('verify');
  const r = JSON.parse(cbBody).resource;
  return JSON.parse(Aes.AesGcm.decrypt(r.ciphertext, apiv3, r.nonce, r.associated_data));
}
if (!openOnce().coupon_code) throw new Error('open');
function rate(f, n, runs = 5) {
  const per = [];
  for (let k = 0; k < runs; k++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    per.push(Number(process.hrtime.bigint() - t) / 1e9 / n);
  }
  per.sort((a, b) => a - b);
  const m = per[Math.floor(runs / 2)];
  return [1 / m, m * 1e6];
}
for (const [name, f, n] of [['authorization', signOnce, 2000], ['callback_open', openOnce, 10000]]) {
  const [r, us] = rate(f, n);
  console.log(`node wechatpay-axios-plugin ${name}: ${Math.round(r).toLocaleString('en')}/s (${us.toFixed(1)} us)`);
}
