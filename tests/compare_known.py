#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Known answers for tests/check_compare.c (run: python3 tests/compare_known.py).
# A reference model of harness/compare.c's statistics, written from its
# documented description, with mpmath for the t, F and normal distributions.
import math, statistics as st
import mpmath as mp
mp.mp.dps = 30
M64 = (1 << 64) - 1
BENCH_DRIFT, COMMON_DRIFT = 0.01, 0.02

def tQ(t, df):
    if df >= 1e5: return nQ(t)  # the t distribution is the normal's within 1e-5 here
    t = mp.mpf(t)
    if t < 0: return 1 - tQ(-t, df)
    return float(0.5 * mp.betainc(mp.mpf(df)/2, 0.5, 0, df/(df + t*t), regularized=True))
def tinv(p, df):  # quantile, p > 0.5
    if df >= 1e5: return ninv(p)
    lo, hi = 0.0, 1e3
    for _ in range(200):
        mid = (lo+hi)/2
        if 1 - tQ(mid, df) < p: lo = mid
        else: hi = mid
    return (lo+hi)/2
def nQ(x): return float(0.5*mp.erfc(mp.mpf(x)/mp.sqrt(2)))
def ninv(p): return float(mp.sqrt(2)*mp.erfinv(2*mp.mpf(p)-1))

class Rng:
    def __init__(s, seed): s.s = seed & M64
    def uniform(s):
        x = s.s
        x ^= (x << 13) & M64; x ^= x >> 7; x ^= (x << 17) & M64
        s.s = x
        return ((x >> 11) + 0.5) / 9007199254740992.0
    def gauss(s):
        u = s.uniform(); v = s.uniform()
        return math.sqrt(-2*math.log(u))*math.cos(2*math.pi*v)

def holm(p):
    n = len(p); order = sorted(range(n), key=lambda i: p[i]); adj = [0]*n; run = 0
    for k, i in enumerate(order):
        run = max(run, min(1, p[i]*(n-k))); adj[i] = run
    return adj

def welch(x, y):
    vx = st.variance(x)/len(x); vy = st.variance(y)/len(y)
    d = st.mean(y) - st.mean(x); se = math.sqrt(vx+vy)
    df = (vx+vy)**2/(vx*vx/(len(x)-1) + vy*vy/(len(y)-1)) if vx+vy > 0 else min(len(x), len(y)) - 1
    return d, se, df

def trimmed(lr, gamma=0.1):
    n = len(lr); g = math.floor(gamma*n)
    if n >= 5 and g < 1: g = 1
    h = n - 2*g
    xs = sorted(lr); mid = xs[g:n-g]; d = sum(mid)/h
    w = [xs[g]]*g + mid + [xs[n-1-g]]*g
    se = math.sqrt((n-1)*st.variance(w)/(h*(h-1)))
    return d, se, h-1, g

def pvalues(d, se, df, noise):
    thr = math.log1p(noise)
    if not se > 0:
        return (0 if abs(d) > thr else 1), (0 if d != 0 else 1)
    return tQ((abs(d)-thr)/se, df), 2*tQ(abs(d)/se, df)

def mad(x):
    m = st.median(x); return 1.4826*st.median([abs(v-m) for v in x])

def judge(members, noise=0.01, alpha=0.05, conf=0.95, corr=True, bound=0.04):
    """members: list of dicts with d, var, df, stored.  Returns (rows, summary)."""
    S = [m for m in members if m['stored'] and m['var'] > 0]
    c = se_c = None; removed = False; lam = 1.0
    if S:
        k = len(S); ds = [m['d'] for m in S]; vs = [m['var']+m['tau2'] for m in S]
        mv = sum(vs)/k
        if k < 4:
            c = st.mean(ds); se_c = math.sqrt(mv/k)
        else:
            c = st.median(ds)
            se_c = max(math.sqrt(math.pi/2*mv/k), 1.2533*mad(ds)/math.sqrt(k))
            thr0 = math.log1p(bound)
            sp0 = nQ((abs(c)-thr0)/se_c) if se_c > 0 else (0 if abs(c) > thr0 else 1)
            removed = corr and not sp0 < alpha  # a shift beyond the bound is not drift
            if removed:
                lam = max(1, st.median([(m['d']-c)**2/(m['var']+m['tau2'])/tinv(0.75, m['df'])**2 for m in S]))
    rows = []; p = []; pz = []
    z = ninv((1+conf)/2)
    for m in members:
        if not m['stored']: v = m['var']
        elif m['var'] == 0: v = 0
        elif removed: v = lam*(m['var']+m['tau2']) + se_c**2
        else: v = m['var'] + m['tau2'] + COMMON_DRIFT**2
        se = math.sqrt(v)
        r = m['d'] - (c if m['stored'] and m['var'] > 0 and removed else 0)
        df = m['df']
        if m['stored'] and m['var'] > 0:  # Satterthwaite: only the measured part is estimated
            meas = lam*m['var'] if removed else m['var']
            df = min(1e6, v*v/(meas*meas/m['df']))
        t = tinv((1+conf)/2, df) if df > 0 else z
        sech = math.sqrt(lam*(m['var']+m['tau2']) + COMMON_DRIFT**2) if (m['stored'] and m['var'] > 0 and removed) else se
        pd, pzz = pvalues(r, se, df, noise)
        rows.append(dict(change=math.expm1(m['d']), lo=math.expm1(m['d']-t*sech), hi=math.expm1(m['d']+t*sech),
                         rel=math.expm1(r), rel_lo=math.expm1(r-t*se), rel_hi=math.expm1(r+t*se),
                         p=pd, p_zero=pzz, dir=1 if r >= 0 else -1, se=se))
        p.append(pd); pz.append(pzz)
    summ = dict(shift=None)
    if c is not None:
        thr = math.log1p(bound)
        sp = nQ((abs(c)-thr)/se_c) if se_c > 0 else (0 if abs(c) > thr else 1)
        p.append(sp)
        summ = dict(shift=math.expm1(c), shift_lo=math.expm1(c-z*se_c), shift_hi=math.expm1(c+z*se_c),
                    removed=removed, inflation=lam, shift_p_raw=sp)
    pa = holm(p); pza = holm(pz)
    if c is not None:
        summ['shift_p'] = pa[-1]; summ['beyond'] = pa[-1] < alpha
    for i, row in enumerate(rows):
        row['p_adj'] = pa[i]; row['p_zero_adj'] = pza[i]
        if pa[i] < alpha: row['verdict'] = 'regressed' if row['dir'] > 0 else 'improved'
        else: row['verdict'] = 'within noise' if pza[i] < alpha else 'no significant change'
    return rows, summ

def stored_member(base_vals, cur_vals):
    x = [math.log(v) for v in base_vals]; y = [math.log(v) for v in cur_vals]
    d, se, df = welch(x, y)
    # the benchmark's own between-run movement: the assumed 1 %, or half
    # the variance of either side's processes (robust) when that is more
    tau = max([BENCH_DRIFT] + [mad(v)/math.sqrt(2) for v in (x, y) if len(v) >= 3])
    return dict(d=d, var=se*se, df=df, stored=True, tau2=tau*tau,
                base_ns=math.exp(st.mean(x)), cur_ns=math.exp(st.mean(y)))

def paired_member(old_vals, new_vals):
    lr = [math.log(n/o) for o, n in zip(old_vals, new_vals)]
    d, se, df, g = trimmed(lr)
    return dict(d=d, var=se*se, df=df, stored=False, tau2=0)

def make_pair(n, sd, factor, common, seed, nprocs=5):
    rng = Rng(seed); base = []; cur = []
    for i in range(n):
        slope = 2.0 + i
        base.append([slope*(1+sd*rng.gauss()) for _ in range(nprocs)])
        f = common*(factor[i] if factor else 1)
        cur.append([slope*f*(1+sd*rng.gauss()) for _ in range(nprocs)])
    return base, cur

def show(rows, summ, names=None):
    for i, r in enumerate(rows):
        print(' ', names[i] if names else i, r['verdict'], 'chg %.6g rel %.6g p %.6g padj %.6g pz %.6g pzadj %.6g' % (r['change'], r['rel'], r['p'], r['p_adj'], r['p_zero'], r['p_zero_adj']))
    print('  summary', summ)

if __name__ == '__main__':
    # ---- sc1.py
    def stored_suite(base, cur, **kw):
        ms = [stored_member(b, c) for b, c in zip(base, cur)]
        return judge(ms, **kw)
    print('single_known')
    m = stored_member([10.0,10.2,9.9,10.1],[10.6,10.9,10.5])
    print(m)
    rows, s = judge([m]); show(rows, s); print(rows[0])
    print('regression'); show(*stored_suite(*make_pair(8, .01, [1,1,1,1.2,1,1,1,1], 1, 0x1234567)))
    print('improvement'); show(*stored_suite(*make_pair(8, .01, [1,1,1,1,1,.8,1,1], 1, 0x7654321)))
    for seed in [1, 42, 0xdeadbeef, 0x5eed5eed, 987654321]:
        rows, s = stored_suite(*make_pair(8, .01, None, 1, seed)); print('noise', seed, [r['verdict'] for r in rows], s['shift_p'])
    # ---- sc2.py
    def stored_suite(base, cur, **kw):
        ms = [stored_member(b, c) for b, c in zip(base, cur)]
        return judge(ms, **kw)
    # too_few_boundary: three (3 v 3) +50 %, short excluded
    m = stored_member([10,10.1,9.9],[15,15.1,14.9]); print('boundary'); show(*judge([m]))
    # new_missing: rng 5, kept/a base, gone/x, kept/b, gone/y, then cur kept/a, new/z, kept/b
    r = Rng(5)
    def draw(n, slope, sd=0.01): return [slope*(1+sd*r.gauss()) for _ in range(n)]
    ba = draw(5,3); gx = draw(5,3); bb = draw(5,4); gy = draw(5,4); ca = draw(5,3); nz = draw(5,3); cb = draw(5,4)
    print('new_missing'); show(*judge([stored_member(ba,ca), stored_member(bb,cb)]))
    # failed_not_compared: 6, factor 1.5,1.5, seed 77; benches 0,1 excluded
    b, c = make_pair(6, .01, [1.5,1.5,1,1,1,1], 1, 77)
    print('failed'); show(*judge([stored_member(x,y) for x,y in list(zip(b,c))[2:]]))
    # multiple comparisons 50
    b, c = make_pair(50, .01, None, 1, 0xc0ffee)
    rows, s = stored_suite(b, c); print('multi', set(r['verdict'] for r in rows), 'raw p<.05:', sum(r['p'] < .05 for r in rows), 'raw pz<.05:', sum(r['p_zero']<.05 for r in rows), 'min p', min(r['p'] for r in rows), 'min pz', min(r['p_zero'] for r in rows), s)
    # drift: +3% all, 8, seed 2024
    b, c = make_pair(8, .01, None, 1.03, 2024)
    print('drift'); show(*stored_suite(b, c)); print('drift nocorr'); show(*stored_suite(b, c, corr=False))
    b, c = make_pair(8, .01, [1,1,1,1,1,1,1.2,1], 1.03, 555)
    print('reg under drift'); show(*stored_suite(b, c))
    b, c = make_pair(3, .001, None, 1.03, 8)
    print('needs four'); show(*stored_suite(b, c))
    # ---- sc3.py
    def make_paired(slower, nr=5, drift=(1.00,1.10,0.93,1.05,0.90)):
        r = Rng(99); old=[]; cur=[]
        for i in range(6):
            slope = 2.0+i; so=[]; sc=[]
            for k in range(nr):
                so.append(slope*drift[k % len(drift)]*(1+.005*r.gauss()))
                sc.append(slope*drift[k % len(drift)]*(slower if i==2 else 1)*(1+.005*r.gauss()))
            old.append(so); cur.append(sc)
        return old, cur
    for sl in (1.03, 1.0):
        o, c = make_paired(sl)
        print('paired', sl); show(*judge([paired_member(a,b) for a,b in zip(o,c)]))
        print('unpaired', sl); show(*judge([stored_member(a,b) for a,b in zip(o,c)]))
    def make_confirm():
        r = Rng(7); old=[]; cur=[]
        for i in range(6):
            slope=2.0+i; so=[]; sc=[]
            for k in range(15):
                f = 1.03 if i==2 or (i==3 and k<5) else 1
                so.append(slope*(1+.005*r.gauss())); sc.append(slope*f*(1+.005*r.gauss()))
            old.append(so); cur.append(sc)
        return old, cur
    o, c = make_confirm()
    print('confirm fam {2,3} from round 6'); show(*judge([paired_member(o[i][5:], c[i][5:]) for i in (2,3)]))
    print('confirm all rounds'); show(*judge([paired_member(o[i], c[i]) for i in range(6)]))
    # ---- sc4.py
    SPREAD = [1,-1,2,-2,0,1,-1,.5,-.5,0]
    P5 = [0, .004, -.004, .002, -.002]
    def paired_thr(f):
        old = [10*(1+SPREAD[k]*1e-4) for k in range(10)]
        new = [10*f*(1+SPREAD[(k+3)%10]*1e-4) for k in range(10)]
        m = paired_member(old, new); rows, s = judge([m]); return m, rows[0]
    for f in (1.009, 1.02):
        m, r = paired_thr(f); print('thr', f, m, r['verdict'], r['p'], r['p_adj'], r['p_zero'], r['change'])
    def stored_suite_f(fs, alpha=0.05):
        ms = []
        for i, f in enumerate(fs):
            slope = 2.0 + i
            ms.append(stored_member([slope*(1+P5[p]) for p in range(5)], [slope*f*(1+P5[(p+2)%5]) for p in range(5)]))
        return judge(ms, alpha=alpha)
    print('one +5%'); show(*stored_suite_f([1.05]))
    rows, s = stored_suite_f([1.10]*20); print('20 x +10%', set(r['verdict'] for r in rows), s)
    rows, s = stored_suite_f([1.05]*11+[1]*9); print('11/20 +5%'); show(rows, s)
    rows, s = stored_suite_f([1.05]*11+[1]*9, alpha=0.01); print('11/20 +5% alpha .01', [r['verdict'] for r in rows], s)
    # pvalues known
    for d, se, df in ((0.03, 0.008, 7), (-0.03, 0.008, 7), (0.012, 0.004, 3.5)):
        print('pv', d, se, df, repr(pvalues(d, se, df, 0.01)))
    # ---- sc5.py
    b, c = make_pair(6, .01, [1,1.2,1,1,1.02,1], 1, 4711)
    print('4711'); show(*judge([stored_member(x,y) for x,y in zip(b,c)]))
    its = [100*(k+1) for k in range(10)]
    mean_off = 50*st.mean([1/i for i in its]); med_off = 50*(1/500+1/600)/2
    b, c = make_pair(8, .01, [1,1.2,1,1,1,1,1,1], 1, 4242)
    for off in (med_off, mean_off):
        rows, s = judge([stored_member([v+off for v in x],[v+off for v in y]) for x,y in zip(b,c)])
        print('stat', [r['verdict'] for r in rows])
