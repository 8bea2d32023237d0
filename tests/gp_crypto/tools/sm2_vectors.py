#!/usr/bin/env python3
"""SM2 vectors for the crypto test TA (ta/gp_sm2_ta.c): SM2 (GB/T 32918) in
Python's integers on the standard curve, with the fixed nonce of GM/T
0003.5's examples, so the outputs can be checked against the published ones
(its signature r and s of "message digest", its ciphertext of "encryption
standard") and pasted into the TA. SM3 is hashlib's. Run: python3
sm2_vectors.py"""
import hashlib

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
     0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0)


def sm3(data):
    return hashlib.new("sm3", data).digest()


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    if p1[0] == p2[0] and (p1[1] + p2[1]) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * p1[0] * p1[0] + A) * pow(2 * p1[1], -1, P) % P
    else:
        lam = (p2[1] - p1[1]) * pow(p2[0] - p1[0], -1, P) % P
    x = (lam * lam - p1[0] - p2[0]) % P
    return x, (lam * (p1[0] - x) - p1[1]) % P


def mul(k, pt):
    r = None
    while k:
        if k & 1:
            r = add(r, pt)
        pt = add(pt, pt)
        k >>= 1
    return r


def b32(v):
    return v.to_bytes(32, "big")


def z_value(ident, pub):
    entl = (len(ident) * 8).to_bytes(2, "big")
    return sm3(entl + ident + b32(A) + b32(B) + b32(G[0]) + b32(G[1]) + b32(pub[0]) + b32(pub[1]))


def sign(d, e, k):
    x1, _ = mul(k, G)
    r = (int.from_bytes(e, "big") + x1) % N
    assert r != 0 and r + k != N
    s = pow(1 + d, -1, N) * (k - r * d) % N
    assert s != 0
    return r, s


def verify(pub, e, r, s):
    t = (r + s) % N
    x1, _ = add(mul(s, G), mul(t, pub))
    return (int.from_bytes(e, "big") + x1) % N == r


def kdf(z, klen):
    out = b""
    ct = 1
    while len(out) < klen:
        out += sm3(z + ct.to_bytes(4, "big"))
        ct += 1
    return out[:klen]


def encrypt(pub, msg, k):
    c1 = mul(k, G)
    x2, y2 = mul(k, pub)
    t = kdf(b32(x2) + b32(y2), len(msg))
    assert any(t)
    c2 = bytes(m ^ u for m, u in zip(msg, t))
    c3 = sm3(b32(x2) + msg + b32(y2))
    return b"\x04" + b32(c1[0]) + b32(c1[1]) + c3 + c2


def decrypt(d, ct):
    c1 = (int.from_bytes(ct[1:33], "big"), int.from_bytes(ct[33:65], "big"))
    c3, c2 = ct[65:97], ct[97:]
    x2, y2 = mul(d, c1)
    t = kdf(b32(x2) + b32(y2), len(c2))
    msg = bytes(c ^ u for c, u in zip(c2, t))
    assert sm3(b32(x2) + msg + b32(y2)) == c3
    return msg


if __name__ == "__main__":
    # GM/T 0003.5's signature example on the standard curve.
    d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
    pub = mul(d, G)
    ident = b"1234567812345678"
    msg = b"message digest"
    e = sm3(z_value(ident, pub) + msg)
    k = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
    r, s = sign(d, e, k)
    assert verify(pub, e, r, s)
    # GM/T 0003.5's published signature.
    assert r == 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
    assert s == 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
    print("pub x", "%064X" % pub[0])
    print("pub y", "%064X" % pub[1])
    print("e", e.hex())
    print("r", "%064X" % r)
    print("s", "%064X" % s)
    plain = b"encryption standard"
    ct = encrypt(pub, plain, k)
    assert decrypt(d, ct) == plain
    # GM/T 0003.5's published C2.
    assert ct.endswith(bytes.fromhex("21886CA989CA9C7D58087307CA93092D651EFA"))
    print("ct", ct.hex())
    # A message whose C1 coordinate has a leading zero byte would need DER's
    # shortest INTEGER; find a nonce giving x1 < 2^248 for the TA to decrypt.
    k2 = 1
    while mul(k2, G)[0] >> 248 != 0:
        k2 += 1
    ct2 = encrypt(pub, b"x", k2)
    assert decrypt(d, ct2) == b"x"
    print("k2", k2, "ct2", ct2.hex())
