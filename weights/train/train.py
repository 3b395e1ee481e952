#!/usr/bin/python3
# Trains the evenlight network (hierarchically, as in the paper) and exports it.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Train evenlight-net-v1 and write weights/evenlight-v1.bin.

    /usr/bin/python3 weights/train/train.py --out weights/evenlight-v1.bin \\
        --steps1 1500 --steps2 720

(weights/train/retrain.sh runs the whole pipeline: data, targets, this
script, evaluation.)

Data: weights/train/data/manifest.tsv (columns id, file, …, split) with the
photos in data/photos/ and the classic-retouched targets (same name) in
data/targets/, as written by get-data.sh. The val-split photos are neither
trained on nor used to choose anything here: they are only for the figures
evaluate.py reports. The
train-split photos are divided by photo (selection_photo(): a hash of the
id) into the photos trained on and a selection split (about 12 %) that
chooses each stage's checkpoint and stops a stage early.

Inputs: each training sample is either the real photo (probability 0.25) or a
synthetic non-uniform-illumination version of it made on the fly
(degrade.py has the exact recipe: spatially varying exposure in linear
light, clipping, Poisson–Gaussian noise, sRGB curve, JPEG, 8-bit). The
target is always the retouched target of the same photo. Random flips and
90° rotations are applied to photo and target alike before degrading.

Stage 1 (Illumination-Net + Fusion-Net end to end, restoration off, R = R1):
whole photos downscaled to a short side of 256 px; the Illumination-Net sees
the whole degraded picture (its global context, as at inference) and the
loss is taken on a 256 × 256 crop. Loss: Huber (δ = 0.5) + 0.2 (1 − SSIM) +
0.5 multi-scale gradient L1 (replacing the paper's VGG-19 perceptual term:
no pretrained weights are available) + ωi = 0.002 × structure-aware TV of L
and Li (λg = 10).

Stage 2 (Restoration-Net, stage 1 frozen, γ3 = 1 so R = R1 + N): 128 × 128
crops at the photos' stored resolution (long side ≤ 1024), the global
context computed from the whole picture with the same exposure field. The
target of a crop is what the frozen stage 1 makes of the clean version of
the same input (degrade.degrade_pair: the same exposure field, no noise, no
JPEG; for a real-photo crop, the crop itself), so the Restoration-Net learns
to remove what noise and compression became after the enhancement and to
leave clean pictures alone. (Against the retouched target, the net spent its
few parameters on the stage-1 residual instead, and lost 0.3 dB on real
photos.) Loss: 40 × Huber + 0.2 (1 − SSIM) + 0.5 multi-scale gradient + ωg
= 1e-4 × TV(R). The Huber weight (--stage2-pixel-weight) is 40 because the
residual errors left to the Restoration-Net are small (≈ 0.02), where Huber
is MSE / 2 ≈ 5e-4, a sixtieth of the SSIM term: with weight 1 the net
followed SSIM alone and never beat R1 on the selection PSNR in 300 steps;
with 40 it did from step 120 on. Half the stage-2 crops are real photos
(--stage2-real; 0.25 as in stage 1 smoothed the real photos more: −0.08
against −0.04 dB on the held-out real photos at the default sliders).
--stage2-target retouched restores the old target.

--stage2-exposure (with --stage1-from a file that has an exposure floor,
MODEL.md §5b) takes the stage-2 loss after the exposure step: R, its target
and R1 of each crop go through E_g with the gain g that the step gives the
crop's whole (noise-free) picture, so the errors are weighed as the user
sees them, where the step's gain has made the noise in a dark photo
several times larger. The selection PSNR is taken the same way. This is
how the shipped Restoration-Net was trained (retrain.sh runs it after the
floor is calibrated).

γ1 = γ2 = 1 (full shadow lift and highlight suppression) during training:
the sliders only rescale the illumination maps at inference.

Optimiser: Adam (lr 1e-3, β 0.9/0.999) per stage; an epoch is
--epoch-steps batches and a stage is a fixed number of steps (--steps1,
--steps2), never a time budget, so a run is reproducible: after each epoch
lr × 0.98, and lr × 0.5 when the selection PSNR has not improved for 3
epochs; a stage stops early after --patience epochs without improvement.
Fixed seeds and a fixed thread count. The best selection state of each stage
is kept (stage 1 on the PSNR of R1 against the targets, real and synthetic
inputs; stage 2 on the PSNR on synthetic inputs); the weights file is
exported at the end of each stage and every 5 epochs, so a stopped run still
leaves usable weights (during stage 1 the Restoration-Net's output layers
are zero, so N = 0). --stage1-from FILE takes stage 1 from a weights file
(with its exposure floor and Fusion-Net for brackets, if it has them) and
trains stage 2 only, from a fresh Restoration-Net. Logs, checkpoints and the cache of decoded photos
go to the run directory (weights/train/runs/, not in git).
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import degrade  # noqa: E402
import export   # noqa: E402
import losses   # noqa: E402
from measures import DARK_LUMA  # noqa: E402
from model import ARCH, ARCH_V2, EvenlightNet, count_params  # noqa: E402
from photos import load_cache  # noqa: E402

P_REAL = 0.25
# Share of the synthetic inputs that are globally dark high-ISO captures
# (degrade.dark_params); the rest are non-uniformly lit (exposure_params).
P_DARK = 0.5
# About 1/8 of the training photos (by photo) form the selection split.
SELECT_MOD, SELECT_REM = 8, 3


def selection_photo(photo_id):
    """True for the train-split photos set aside to choose checkpoints: a
    deterministic rule on the id (first 4 bytes of its SHA-1 mod 8 == 3), so
    the split needs no extra manifest column and does not change when
    photos are added."""
    import hashlib
    h = int.from_bytes(hashlib.sha1(photo_id.encode()).digest()[:4], "big")
    return h % SELECT_MOD == SELECT_REM


# ------------------------------------------------------------------ data

def draw_aug(rng):
    return int(rng.integers(4)), bool(rng.random() < 0.5)


def apply_aug(a, aug):
    """Rotate by k × 90° (np.rot90), then mirror left–right if flip."""
    k, flip = aug
    a = np.rot90(a, k)
    if flip:
        a = a[:, ::-1]
    return np.ascontiguousarray(a)


def augment(rng, *arrays):
    aug = draw_aug(rng)
    return [apply_aug(a, aug) for a in arrays]


def map_window(h, w, y0, x0, c, aug):
    """Where the c × c window at (y0, x0) of an h × w image lands after
    apply_aug: returns ((h', w'), (y0', x0'))."""
    k, flip = aug
    for _ in range(k):                 # np.rot90: new[i][j] = old[j][w−1−i]
        h, w, y0, x0 = w, h, w - x0 - c, y0
    if flip:
        x0 = w - x0 - c
    return (h, w), (y0, x0)


def to_t(a):
    """H×W×3 (uint8 or float) → 1×3×H×W float32 tensor."""
    a = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]


def draw_kind(rng, p_real=P_REAL, p_dark=P_DARK):
    """'real' (the photo as it is), 'dark' (a globally dark high-ISO capture)
    or 'uneven' (a non-uniform illumination field): p_real, then p_dark of
    the synthetic inputs are dark."""
    if rng.random() < p_real:
        return "real"
    return "dark" if rng.random() < p_dark else "uneven"


def synth_params(rng, kind):
    """(exposure field, noise) of a synthetic input of this kind."""
    if kind == "dark":
        return degrade.dark_params(rng), degrade.dark_noise(rng)
    return degrade.exposure_params(rng), None


def make_input(rng, photo, kind=None):
    kind = kind or draw_kind(rng)
    if kind == "real":
        return photo.astype(np.float32) / 255.0
    prm, noise = synth_params(rng, kind)
    return degrade.degrade_pair(photo, rng, prm, noise=noise)[0]


def dark_items(items):
    """The photos of @items whose mean luma is below DARK_LUMA."""
    return [it for it in items
            if float(np.mean(0.299 * it["photo_s"][..., 0] + 0.587 * it["photo_s"][..., 1]
                             + 0.114 * it["photo_s"][..., 2])) / 255.0 < DARK_LUMA]


def stage1_batch(rng, items, batch, crop, a_p_real=P_REAL, a_p_dark=P_DARK,
                 dark=(), p_real_dark=0.0, uneven_target="retouched"):
    """Whole downscaled inputs (for the context), aligned crops and the kind
    of each input (draw_kind). A real input is drawn again from @dark with
    probability @p_real_dark (no draw at all when it is 0). The target of
    an uneven input is the photo's target, or with @uneven_target "photo"
    the clean photo itself: undo the illumination field, retouch nothing."""
    wholes, crops, targets, fulls, offs, kinds = [], [], [], [], [], []
    for _ in range(batch):
        it = items[int(rng.integers(len(items)))]
        p, t = augment(rng, it["photo_s"], it["target_s"])
        kind = draw_kind(rng, a_p_real, a_p_dark)
        if kind == "real" and p_real_dark > 0 and dark and rng.random() < p_real_dark:
            it = dark[int(rng.integers(len(dark)))]
            p, t = augment(rng, it["photo_s"], it["target_s"])
        if kind == "uneven" and uneven_target == "photo":
            t = p
        kinds.append(kind)
        x = make_input(rng, p, kinds[-1])
        h, w = x.shape[:2]
        c = min(crop, h, w)
        y0, x0 = int(rng.integers(h - c + 1)), int(rng.integers(w - c + 1))
        wholes.append(to_t(x))
        crops.append(to_t(x[y0:y0 + c, x0:x0 + c]))
        targets.append(to_t(t[y0:y0 + c, x0:x0 + c]))
        fulls.append((h, w))
        offs.append((y0, x0))
    return wholes, torch.cat(crops), torch.cat(targets), fulls, offs, kinds


def whole_luma(t):
    """Mean luma of a 1×3×H×W input."""
    return float((0.299 * t[:, 0] + 0.587 * t[:, 1] + 0.114 * t[:, 2]).mean())


def exposure_mask(on, kinds, wholes):
    """The inputs of a stage-1 batch that the exposure term counts (1) or
    not (0), for --exposure-on ON; None: all of them."""
    if on == "all":
        return None
    return torch.tensor([float(k == "dark" or (on == "dark+real" and k == "real")
                               or (on == "dark" and k == "real"
                                   and whole_luma(w) < DARK_LUMA))
                         for k, w in zip(kinds, wholes)])


def stage2_batch(rng, items, batch, crop, p_real=P_REAL, p_dark=P_DARK):
    """Native-resolution crops, each with its whole (downscaled, noise-free)
    picture under the same exposure field for the global context. Returns
    (contexts, inputs, retouched targets, clean inputs, sizes, offsets); the
    clean input is the crop under the same exposure without noise and JPEG
    (the input itself for a real crop)."""
    ctxs, crops, targets, cleans, fulls, offs = [], [], [], [], [], []
    # Crops of one batch have one size: photos smaller than the crop are
    # left out (a selection photo of 186 px stopped a run at 192 px crops).
    items = [it for it in items if min(it["photo"].shape[:2]) >= crop] or items
    for _ in range(batch):
        it = items[int(rng.integers(len(items)))]
        h0, w0 = it["photo"].shape[:2]
        c = min(crop, h0, w0)
        y0, x0 = int(rng.integers(h0 - c + 1)), int(rng.integers(w0 - c + 1))
        aug = draw_aug(rng)
        # Crop first, then rotate/flip only the crop (fast), and place it in
        # the rotated/flipped whole picture.
        pc = apply_aug(it["photo"][y0:y0 + c, x0:x0 + c], aug)
        tc = apply_aug(it["target"][y0:y0 + c, x0:x0 + c], aug)
        ps = apply_aug(it["photo_s"], aug)
        (h, w), (y0, x0) = map_window(h0, w0, y0, x0, c, aug)
        kind = draw_kind(rng, p_real, p_dark)
        if kind == "real":
            x, ctx = pc.astype(np.float32) / 255.0, ps.astype(np.float32) / 255.0
            clean = x
        else:
            prm, noise = synth_params(rng, kind)
            x, clean = degrade.degrade_pair(pc, rng, prm, (y0, x0), (h, w), noise)
            ctx = degrade.exposure_only(ps, prm)
        ctxs.append(to_t(ctx))
        crops.append(to_t(x))
        targets.append(to_t(tc))
        cleans.append(to_t(clean))
        fulls.append((h, w))
        offs.append((y0, x0))
    return ctxs, torch.cat(crops), torch.cat(targets), torch.cat(cleans), fulls, offs


def contexts(net, wholes, fulls, offs):
    """The context argument of net() for crops of @wholes: the grids and
    the v2 fusion bias of each whole picture."""
    g, gi, b = zip(*(net.context(x) for x in wholes))
    bias = None if b[0] is None else torch.cat(b)
    return torch.cat(g), torch.cat(gi), fulls, offs, bias


# ------------------------------------------------------------- training

class Run:
    def __init__(self, args):
        self.args = args
        self.t0 = time.time()
        os.makedirs(args.run_dir, exist_ok=True)
        self.log_f = open(os.path.join(args.run_dir, "train.log"), "a")
        self.history = []

    def log(self, msg):
        line = f"[{(time.time() - self.t0) / 60:6.2f} min] {msg}"
        print(line, flush=True)
        self.log_f.write(line + "\n")
        self.log_f.flush()




def init_net(seed, arch=ARCH):
    torch.manual_seed(seed)
    net = EvenlightNet(arch)
    net.fast_slicing = True
    with torch.no_grad():
        if arch == ARCH_V2:              # no global bias at first: as v1
            getattr(net.fusion, "global").weight.zero_()
            getattr(net.fusion, "global").bias.zero_()
        net.illum.grid.bias.fill_(0.5)   # grids start near 0.62: mild lift
        for k in (1, 2, 3):              # N = 0 until stage 2 trains it
            getattr(net.restore, f"out{k}").weight.zero_()
            getattr(net.restore, f"out{k}").bias.zero_()
    return net


def val_stage1(net, vset):
    net.eval()
    ps, ss = [], []
    with torch.no_grad():
        for x, t in vset:
            r = net(x, restore=False)["R1"]
            ps.append(float(losses.psnr(r, t)))
            ss.append(float(losses.ssim(r, t)))
    net.train()
    return float(np.mean(ps)), float(np.mean(ss))


def stage2_forward(net, batch, target_kind):
    """R1 of the inputs (stage 1, no gradient) and the stage-2 target: the
    retouched target, or R1 of the clean inputs (see the module docstring)."""
    ctxs, x, t, clean, fulls, offs = batch
    with torch.no_grad():
        ctx = contexts(net, ctxs, fulls, offs)
        r1 = net(x, 1.0, 1.0, restore=False, context=ctx)["R1"]
        if target_kind == "clean":
            t = torch.clamp(net(clean, 1.0, 1.0, restore=False, context=ctx)["R1"], 0.0, 1.0)
    return r1, t


def stage2_gains(net, batch, exposure):
    """The exposure step's gain of each crop (MODEL.md §5b), from its whole
    picture, when the stage-2 loss is taken after the step (--stage2-exposure);
    None otherwise."""
    if not exposure or net.exposure_floor is None:
        return None
    with torch.no_grad():
        return [net.exposure_gains(c)[0] for c in batch[0]]


def after_step(net, r, gains):
    """r as the engine shows it: through the exposure step at γ1 = 1."""
    return r if gains is None else net.apply_exposure(r, gains, 1.0)


def stage2_result(net, batch, target_kind, exposure):
    """(R, target, R1) of a stage-2 batch, after the exposure step when
    @exposure (R1 and the target without gradient)."""
    r1, t = stage2_forward(net, batch, target_kind)
    gains = stage2_gains(net, batch, exposure)
    r = torch.clamp(r1 + net.restore(r1), 0.0, 1.0)
    with torch.no_grad():
        t, r1s = after_step(net, t, gains), after_step(net, torch.clamp(r1, 0.0, 1.0), gains)
    return after_step(net, r, gains), t, r1s


def val_stage2(net, vsyn, vreal, target_kind, exposure=False):
    """(PSNR, SSIM of R on the synthetic selection crops against the stage-2
    target, PSNR of R1 alone there, PSNR of R against R1 on real crops: how
    much the net changes clean pictures); after the exposure step when
    @exposure."""
    net.eval()
    ps, ss, p1, pr = [], [], [], []
    with torch.no_grad():
        for b in vsyn:
            r, t, r1 = stage2_result(net, b, target_kind, exposure)
            ps.append(float(losses.psnr(r, t).mean()))
            ss.append(float(losses.ssim(r, t)))
            p1.append(float(losses.psnr(r1, t).mean()))
        for b in vreal:
            r, _, r1 = stage2_result(net, b, "clean", exposure)
            pr.append(float(losses.psnr(r, r1).mean()))
    net.train()
    return float(np.mean(ps)), float(np.mean(ss)), float(np.mean(p1)), float(np.mean(pr))


def plot(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    for stage, col in ((1, "tab:blue"), (2, "tab:orange")):
        h = [e for e in history if e["stage"] == stage]
        if not h:
            continue
        x = [e["minutes"] for e in h]
        ax[0].plot(x, [e["loss"] for e in h], color=col, label=f"stage {stage} train loss")
        ax[1].plot(x, [e["val_psnr"] for e in h], color=col, label=f"stage {stage} selection PSNR")
    ax[0].set_xlabel("minutes")
    ax[0].set_ylabel("loss")
    ax[0].set_yscale("log")
    ax[1].set_xlabel("minutes")
    ax[1].set_ylabel("PSNR (dB), selection split")
    for a in ax:
        a.grid(alpha=0.3)
        a.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def export_weights(run, net, tag):
    n = export.export_model(net, run.args.out)
    torch.save(net.state_dict(), os.path.join(run.args.run_dir, f"weights-{tag}.pt"))
    run.log(f"exported {run.args.out} ({n} bytes, {tag})")


def train_stage(run, net, stage, params, batch_fn, val_fn, steps):
    """Trains for @steps steps (fewer if the selection PSNR stalls for
    --patience epochs); keeps the best selection state. With
    --select-window K an epoch's score is the mean selection PSNR of the
    last K epochs, so that one lucky epoch neither ends the stage early nor
    halves the learning rate for the epochs after it."""
    a = run.args
    rng = np.random.default_rng(a.seed + stage)
    opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999))
    best, best_state, stall, epoch, done, since_best = -1e9, None, 0, 0, 0, 0
    best_epoch = 0
    step_times = []
    scores = []
    t_stage = time.time()
    while done < steps:
        epoch += 1
        tot, parts_sum, n = 0.0, {}, 0
        for _ in range(min(a.epoch_steps, steps - done)):
            ts = time.time()
            loss, parts = batch_fn(rng)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss)
            for k, v in parts.items():
                parts_sum[k] = parts_sum.get(k, 0.0) + float(v)
            n += 1
            done += 1
            step_times.append(time.time() - ts)
        v = val_fn(net)
        for g in opt.param_groups:
            g["lr"] *= 0.98
        scores.append(v[0])
        score = float(np.mean(scores[-a.select_window:]))
        if score > best + 0.01:
            best, best_state, stall = score, copy.deepcopy(net.state_dict()), 0
            best_epoch, since_best = epoch, 0
        else:
            stall += 1
            since_best += 1
            if stall >= 3:
                for g in opt.param_groups:
                    g["lr"] *= 0.5
                stall = 0
        lr = opt.param_groups[0]["lr"]
        rec = dict(stage=stage, epoch=epoch, steps=done, minutes=(time.time() - run.t0) / 60,
                   loss=tot / n, lr=lr, val_psnr=v[0], val_ssim=v[1],
                   **{k: s / n for k, s in parts_sum.items()})
        if len(v) > 2:
            rec["val_psnr_R1"] = v[2]
            rec["real_psnr_vs_R1"] = v[3]
        run.history.append(rec)
        run.log(f"stage {stage} epoch {epoch} ({done} steps): loss {tot / n:.5f} "
                + " ".join(f"{k} {s / n:.5f}" for k, s in parts_sum.items())
                + f" | selection PSNR {v[0]:.3f} SSIM {v[1]:.4f}"
                + (f" (R1 {v[2]:.3f}; real R vs R1 {v[3]:.2f})" if len(v) > 2 else "")
                + f" | lr {lr:.2e} | {np.median(step_times):.3f} s/step")
        with open(os.path.join(a.run_dir, "history.json"), "w") as f:
            json.dump(run.history, f, indent=1)
        plot(run.history, a.curves)
        torch.save(dict(model=net.state_dict(), opt=opt.state_dict(), stage=stage,
                        epoch=epoch, history=run.history),
                   os.path.join(a.run_dir, "checkpoint.pt"))
        if epoch % 5 == 0 and best_state is not None:
            cur = copy.deepcopy(net.state_dict())
            net.load_state_dict(best_state)
            export_weights(run, net, f"stage{stage}-epoch{epoch}-best")
            net.load_state_dict(cur)
        if since_best >= a.patience:
            run.log(f"stage {stage}: no selection gain for {since_best} epochs, stopping")
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    run.log(f"stage {stage} done after {epoch} epochs, {done} steps, "
            f"{(time.time() - t_stage) / 60:.1f} min; best selection PSNR {best:.3f} "
            f"(mean of {a.select_window} epochs) "
            f"(epoch {best_epoch})")
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--curves", default=os.path.join(HERE, "loss-curves.png"))
    ap.add_argument("--run-dir", default=os.path.join(HERE, "runs", time.strftime("%Y%m%d-%H%M%S")))
    ap.add_argument("--cache-dir", default=os.path.join(HERE, "runs", "cache"))
    ap.add_argument("--steps1", type=int, default=1500, help="stage-1 steps")
    ap.add_argument("--steps2", type=int, default=720, help="stage-2 steps")
    ap.add_argument("--stage1-from", metavar="FILE",
                    help="take Illumination-Net and Fusion-Net from this weights "
                         "file and train stage 2 only")
    ap.add_argument("--stage2-target", choices=("clean", "retouched"), default="clean")
    ap.add_argument("--stage2-pixel-weight", type=float, default=40.0,
                    help="weight of the Huber term in the stage-2 loss")
    ap.add_argument("--stage2-exposure", action="store_true",
                    help="take the stage-2 loss after the exposure step (MODEL.md §5b) of "
                         "--stage1-from's floor, where its gain amplifies what noise is left")
    ap.add_argument("--stage2-real", type=float, default=0.5,
                    help="share of real-photo crops (target: their own R1) in stage 2")
    ap.add_argument("--p-real", type=float, default=P_REAL,
                    help="share of real photos among the stage-1 inputs")
    ap.add_argument("--p-real-dark", type=float, default=0.0,
                    help="stage 1: a real input is drawn from the training photos darker "
                         "than measures.DARK_LUMA with this probability (0: as any photo)")
    ap.add_argument("--p-dark", type=float, default=P_DARK,
                    help="share of globally dark high-ISO captures among the synthetic inputs")
    ap.add_argument("--exposure-weight", type=float, default=losses.W_EXPOSURE,
                    help="weight of stage 1's exposure term (block means of R1 vs target)")
    ap.add_argument("--exposure-on", choices=("all", "synthetic-dark", "dark", "dark+real"),
                    default="synthetic-dark",
                    help="inputs the exposure term applies to: all; the synthetic globally "
                         "dark captures; those and the real photos of mean luma below "
                         f"{DARK_LUMA}; those and every real photo (whose target is "
                         "itself unless retouching clearly helps: an anchor)")
    ap.add_argument("--patience", type=int, default=10,
                    help="epochs without selection gain before a stage stops")
    ap.add_argument("--uneven-target", choices=("retouched", "photo"), default="retouched",
                    help="stage 1's target for an input under a synthetic illumination "
                         "field: the photo's (retouched) target, or the clean photo")
    ap.add_argument("--select-window", type=int, default=1,
                    help="an epoch's selection score is the mean selection PSNR of the "
                         "last this many epochs (1: that epoch's own)")
    ap.add_argument("--batch1", type=int, default=8)
    ap.add_argument("--batch2", type=int, default=16)
    ap.add_argument("--crop1", type=int, default=192)
    ap.add_argument("--crop2", type=int, default=128)
    ap.add_argument("--short1", type=int, default=256)
    ap.add_argument("--epoch-steps", type=int, default=60)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--arch", choices=(ARCH, ARCH_V2), default=ARCH,
                    help="evenlight-net-v2 adds the Fusion-Net's global bias (MODEL.md §3)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads; part of what makes a run reproducible. "
                         "1 by default: on the shared 2-core machine a 2-thread run "
                         "waited on its own threads (over 11 s per stage-2 step, "
                         "against 1.0 s with one thread)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    run = Run(a)
    run.log("args " + json.dumps(vars(a)))
    data = load_cache(a.data, a.cache_dir, a.short1)
    tr = [d for d in data if d["split"] != "val" and not selection_photo(d["id"])]
    se = [d for d in data if d["split"] != "val" and selection_photo(d["id"])]
    run.log(f"{len(tr)} training / {len(se)} selection photos loaded "
            f"({sum(d['split'] == 'val' for d in data)} val photos not used)")
    if not tr or not se:
        sys.exit("train.py: need photos with targets in the training and selection splits")
    tr_dark = dark_items(tr)
    run.log(f"{len(tr_dark)} training photos darker than {DARK_LUMA} "
            f"(a real input is one of them with probability {a.p_real_dark})")

    net = init_net(a.seed, a.arch)
    run.log(f"parameters: {count_params(net)}")

    # ---- stage 1: Illumination-Net + Fusion-Net, R = R1.
    p1 = list(net.illum.parameters()) + list(net.fusion.parameters())
    if a.stage1_from:
        src = export.load_model(a.stage1_from)
        net.illum.load_state_dict(src.illum.state_dict())
        net.fusion.load_state_dict(src.fusion.state_dict())
        # The file's exposure floor and Fusion-Net for brackets go with it
        # (the network they were chosen for), so the output is complete.
        net.exposure_floor = src.exposure_floor
        if getattr(src, "bracket", None) is not None:
            net.add_bracket_fusion().load_state_dict(src.bracket.state_dict())
        run.log(f"stage 1 taken from {a.stage1_from}"
                + (f" with exposure floor {src.exposure_floor:g}" if src.exposure_floor else ""))
    else:
        export_weights(run, net, "init")
        # Fixed selection inputs: each photo as is and one degraded version.
        vrng = np.random.default_rng(1234)
        vset1 = []
        for d in se:
            t = to_t(d["target_s"])
            vset1.append((to_t(d["photo_s"]), t))
            vset1.append((to_t(degrade.degrade(d["photo_s"], vrng)),
                          to_t(d["photo_s"]) if a.uneven_target == "photo" else t))
            vset1.append((to_t(make_input(vrng, d["photo_s"], "dark")), t))

        def batch1(rng):
            wholes, x, t, fulls, offs, kinds = stage1_batch(rng, tr, a.batch1, a.crop1,
                                                            a.p_real, a.p_dark,
                                                            tr_dark, a.p_real_dark,
                                                            a.uneven_target)
            o = net(x, 1.0, 1.0, restore=False, context=contexts(net, wholes, fulls, offs))
            return losses.stage1_loss(o, t, x, a.exposure_weight,
                                      exposure_mask(a.exposure_on, kinds, wholes))

        run.log(f"stage 1: {a.steps1} steps")
        train_stage(run, net, 1, p1, batch1, lambda n: val_stage1(n, vset1), a.steps1)
        export_weights(run, net, "stage1")

    # ---- stage 2: Restoration-Net, stage 1 frozen, γ3 = 1.
    for p in p1:
        p.requires_grad_(False)
    vrng = np.random.default_rng(4321)
    vsyn = [stage2_batch(vrng, se, 16, 192, p_real=0.0, p_dark=a.p_dark) for _ in range(4)]
    vreal = [stage2_batch(vrng, se, 16, 192, p_real=1.0)]

    def batch2(rng):
        b = stage2_batch(rng, tr, a.batch2, a.crop2, a.stage2_real, a.p_dark)
        r, t, _ = stage2_result(net, b, a.stage2_target, a.stage2_exposure)
        return losses.stage2_loss(r, t, a.stage2_pixel_weight)

    if a.stage2_exposure and net.exposure_floor is None:
        sys.exit("train.py: --stage2-exposure needs --stage1-from a file with exposure.floor")
    run.log(f"stage 2: {a.steps2} steps, target {a.stage2_target}"
            + (f", loss after the exposure step (floor {net.exposure_floor:g})"
               if a.stage2_exposure else ""))
    train_stage(run, net, 2, list(net.restore.parameters()), batch2,
                lambda n: val_stage2(n, vsyn, vreal, a.stage2_target, a.stage2_exposure),
                a.steps2)
    export_weights(run, net, "final")
    plot(run.history, a.curves)
    run.log(f"done in {(time.time() - run.t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
