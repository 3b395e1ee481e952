# Training of the dequantization network (CPU, one thread, time-limited).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Train G (model.DequantNet) on synthetic dark captures (data.py).

Usage: train.py [--minutes 60] [--out weights/evenlight-dequant-v2.bin]
               [--run weights/train/runs/dequant-v2] [--init weights/evenlight-dequant-v1.bin]
               [--v1 | --v3] [--barrier hinge|log]
               [--lambda-fid 1] [--lambda-grad 1]
       train.py --v3 --validate A.bin B.bin …   (scores on the validation batch)

--v3 trains the network on top of the band positions (bands.py, the C
code of core/dequant-bands.c through ctypes): J̃ moves by them before G
sees it, and G gets them as three more input channels. From --init (a v1
file) it copies every convolution, the head's into its first 16 input
channels (the new ones start at zero), and restarts the tail near zero, so
that the run starts from the band positions alone. From a v3 file
(fine-tuning) every tensor is copied, the tail included.

--barrier picks L∞ (losses.py): `log`, the paper's log barrier in the
capture domain (Eq. 16–17; the default since it measured better than the
hinge, weights/DEQUANT.md §3), or `hinge`, the squared hinge in
half-widths of the interval (what v1, v2 and the first v3 run were trained
with). --lambda-fid and --lambda-grad weigh the two terms the project adds
to the paper's loss; --barrier log --lambda-fid 0 --lambda-grad 0 is the
paper's Eq. 18.

Data: the product recipe (data.darken_gain): a gain applied to the 8-bit
capture, target the clean capture under the same gain. --init starts from
the exported (BN-folded) weights of a smaller run: its convolutions are
copied, the batch norms start as the identity, and the v2 context branch
starts switched off (its 1×1 output is zero). Batch norm runs with frozen
statistics (eval mode, affine parameters trained) throughout, so the
exported folding is exact and a warm start stays what it was.

Phase 1 (first WARMUP of the time): L∞ + λ_fid · L_fid + λ_grad · L_grad.
Phase 2: the adversarial term λ_adv · L_adv against model.Discriminator
is added. Every EXPORT_EVERY seconds the model is evaluated on a fixed
validation batch; whenever it is the best so far it is exported (BN
folded) to --out through weights/train/export.py, so a run stopped at any
time leaves usable weights.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.dirname(HERE))   # export.py (the container writer)
sys.path.insert(0, HERE)
import data      # noqa: E402
import losses    # noqa: E402
import model     # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BATCH = 8
CROP = 160
CLEAN_FRAC = 0.5    # share of noise-free crops (data.random_params)
LR_G, LR_D = 1e-3, 2e-4
LAMBDA_ADV = 1e-3
LAMBDA_FID = 1.0
LAMBDA_GRAD = 1.0
WARMUP = 0.3
EXPORT_EVERY = 120.0


def psnr(a, b):
    mse = float(((a - b) ** 2).mean())
    return 10 * math.log10(1.0 / max(mse, 1e-12))


def band_of(Jt, st):
    """The band positions of a batch of brightened captures in image units
    (gain · q · offset), as core/dequant.c computes them."""
    import bands
    return st * bands.offsets_batch(Jt, st)


def val_scores(G, vJt, vT, vlo, vhi, vstep, vband):
    """PSNR against T, the hinge and the log barrier, and the selection
    criterion L_fid + L_grad, of @G on the validation batch."""
    with torch.no_grad():
        vh = G(vJt, vstep, vband)
        return (psnr(vh, vT), float(losses.barrier(vh, vlo, vhi)),
                float(losses.barrier_log(vh, vlo, vhi, vstep)),
                float(losses.fidelity(vh, vT, vlo, vhi) + losses.gradient(vh, vT, vlo, vhi)))


def export_to(net, path):
    import export   # weights/train/export.py, the container writer
    return export.write(path, model.folded_state(net), net.arch)


def init_from(net, path):
    """Copies the (folded) convolutions of an exported network into @net;
    batch norms become the identity (eps aside). A head with more input
    channels than the file's gets the file's in its first ones. Returns
    True when it did (a v1 file in a v3 network)."""
    import export
    _, t = export.decode(open(path, "rb").read(), path)
    widened = False
    t = {k: torch.from_numpy(np.array(v)) for k, v in t.items()}
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name not in t:
                continue
            if name == "head.weight" and p.shape != t[name].shape:
                p.zero_()
                p[:, :t[name].shape[1]] = t[name]
                widened = True
            else:
                p.copy_(t[name])
        for b in net.blocks:
            for bn in (b.bn1, b.bn2):
                bn.weight.fill_(1.0)
                bn.bias.zero_()
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0)
    return widened


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--out", default=os.path.join(ROOT, "weights", "evenlight-dequant-v2.bin"))
    ap.add_argument("--run", default=os.path.join(ROOT, "weights", "train", "runs", "dequant-v2"))
    ap.add_argument("--init", default=os.path.join(ROOT, "weights", "evenlight-dequant-v1.bin"))
    ap.add_argument("--v1", action="store_true", help="no context branch")
    ap.add_argument("--v3", action="store_true",
                    help="no context branch, on top of the band positions")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=LR_G, help="Adam's rate for G, cosine-decayed")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--barrier", choices=losses.BARRIERS, default="log",
                    help="L∞: the paper's log barrier (default) or the squared hinge")
    ap.add_argument("--lambda-fid", type=float, default=LAMBDA_FID)
    ap.add_argument("--lambda-grad", type=float, default=LAMBDA_GRAD)
    ap.add_argument("--validate", nargs="+", metavar="BIN",
                    help="only score these exported files on the validation batch")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.run, exist_ok=True)
    log = None if args.validate else open(os.path.join(args.run, "log.txt"), "a")

    def say(*a):
        msg = " ".join(str(x) for x in a)
        print(msg, flush=True)
        if log:
            log.write(msg + "\n")
            log.flush()

    t0 = time.time()
    tr, va, src = data.photo_lists()
    cache = os.path.join(args.run, "cache")
    train_ph = [] if args.validate else [data.load_photo(p, cache_dir=cache) for p in tr]
    val_ph = [data.load_photo(p, cache_dir=cache) for p in va]
    if not args.validate:
        with open(os.path.join(args.run, "photos.json"), "w") as f:
            json.dump({"source": src, "train": tr, "val": va}, f, indent=1)
    say(f"photos: {len(tr)} train, {len(va)} val from {src}; loaded in {time.time()-t0:.1f}s")

    # A fixed validation batch: 24 crops of 128 px, fixed darkening.
    vrng = np.random.default_rng(1234)
    vJ = data.CropSampler(val_ph, 192, vrng).batch(24)
    vgen = torch.Generator().manual_seed(1234)
    _, vJt, vT, vlo, vhi, vstep, _ = data.darken_gain(
        vJ, *data.random_params(vrng, 24, CLEAN_FRAC), gen=vgen)
    vband = band_of(vJt, vstep) if args.v3 else None
    say(f"val batch: PSNR(J̃ vs T) = {psnr(vJt, vT):.3f} dB"
        + (f", J̃ + bands {psnr((vJt + vband).clamp(0, 1), vT):.3f} dB" if args.v3 else ""))
    vbatch = (vJt, vT, vlo, vhi, vstep, vband)
    if args.validate:
        import export
        for path in args.validate:
            _, t = export.decode(open(path, "rb").read(), path)
            G = model.FoldedNet({k: torch.from_numpy(np.array(v)) for k, v in t.items()})
            say("%s: val PSNR=%.3f hinge=%.4f log=%.4f fid+grad=%.4f"
                % ((path,) + val_scores(G, *vbatch)))
        return

    G, D = model.DequantNet(ctx=not (args.v1 or args.v3), bands=args.v3), model.Discriminator()
    if args.init:
        widened = init_from(G, args.init)
        say(f"initialised from {args.init}" + (" (head widened, tail restarted)" if widened else ""))
        if args.v3 and widened:
            with torch.no_grad():
                G.tail.weight.normal_(0, 1e-3)
                G.tail.bias.zero_()
    G.eval()   # frozen batch-norm statistics (module doc)
    n_g = model.count_params(model.folded_state(G))
    say(f"G: {G.arch}, width {model.WIDTH}, {model.N_BLOCKS} blocks, {n_g} exported params; "
        f"L∞ = {args.barrier} barrier, λ_fid {args.lambda_fid}, λ_grad {args.lambda_grad}, "
        f"lr {args.lr}, {args.minutes} min, seed {args.seed}")
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr)
    opt_d = torch.optim.Adam(D.parameters(), lr=LR_D, betas=(0.5, 0.999))
    sampler = data.CropSampler(train_ph, CROP, rng)
    budget = args.minutes * 60.0
    start = time.time()
    last_export, best, step = start, -1e9, 0
    gen = torch.Generator().manual_seed(args.seed)
    hist = []
    while True:
        el = time.time() - start
        if el > budget:
            break
        frac = el / budget
        for g in opt_g.param_groups:   # cosine decay of the learning rate
            g["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        J = sampler.batch(BATCH)
        _, Jt, T, lo, hi, st, _ = data.darken_gain(
            J, *data.random_params(rng, BATCH, CLEAN_FRAC), gen=gen)
        Jh = G(Jt, st, band_of(Jt, st) if args.v3 else None)
        l_inf = losses.inf_term(args.barrier, Jh, lo, hi, st)
        l_fid = losses.fidelity(Jh, T, lo, hi)
        l_grad = losses.gradient(Jh, T, lo, hi)
        loss = l_inf + args.lambda_fid * l_fid + args.lambda_grad * l_grad
        adv = frac > WARMUP
        if adv:
            l_adv = losses.adv_generator(D(Jh))
            loss = loss + LAMBDA_ADV * l_adv
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
        if adv:
            l_d = losses.adv_discriminator(D(T), D(Jh.detach()))
            opt_d.zero_grad()
            l_d.backward()
            opt_d.step()
        step += 1
        hist.append((float(l_inf), float(l_fid), float(l_grad)))
        now = time.time()
        if now - last_export > EXPORT_EVERY or now - start > budget:
            last_export = now
            # Both barriers on the val batch, whichever is trained; selection
            # on the value and gradient terms.
            vp, vb, vbl, vl = val_scores(G, *vbatch)
            h = np.mean(hist, axis=0)
            hist = []
            msg = (f"t={now-start:6.0f}s step={step} L_inf={h[0]:.4f} L_fid={h[1]:.4f} "
                   f"L_grad={h[2]:.4f} val PSNR={vp:.3f} (J̃ {psnr(vJt, vT):.3f}) "
                   f"val hinge={vb:.4f} log={vbl:.4f} val fid+grad={vl:.4f}"
                   f"{' adv' if adv else ''}")
            torch.save({"G": G.state_dict(), "D": D.state_dict(), "step": step},
                       os.path.join(args.run, "last.pt"))
            if -vl > best:
                best = -vl
                torch.save({"G": G.state_dict(), "step": step, "val_psnr": vp},
                           os.path.join(args.run, "best.pt"))
                export_to(G, args.out)
                msg += " -> exported"
            say(msg)
    say(f"done: {step} steps in {time.time()-start:.0f}s, best val fid+grad {-best:.4f}")


if __name__ == "__main__":
    main()
