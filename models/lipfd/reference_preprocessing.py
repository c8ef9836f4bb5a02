#!/usr/bin/python3
"""Python reference of LipFD's preprocessing as the Java job implements it (io.lipsyncguard.job.media.LibrosaMel,
Viridis, LipFdComposite), used by the parity test. Each step follows AaronComo/LipFD:

- preprocess.py: mel = librosa.power_to_db(librosa.feature.melspectrogram(y=data, sr=sr), ref=np.min) with librosa
  0.10's defaults. librosa is not a Debian package, so its algorithm is restated with numpy: centred frames with
  constant (zero) padding, periodic Hann window 2048, hop 512, |rfft|^2 kept as complex64/float32 as librosa does,
  128 Slaney mel filters with Slaney normalisation (float32), dB relative to the minimum, amin 1e-10, top_db 80.
  Then plt.imsave (matplotlib's real viridis mapping, bytes=True), the slice mapping with np.round, cv2.resize to
  (2500, 500), frames cv2.resize to (500, 500), the concatenation, and the PNG round trip (RGB written, BGR read).
- data/datasets.py: the global image and the three-scale crops with torch's bilinear resize (no antialias).

  reference_preprocessing.py mel SAMPLES.f32 OUT.f32                    -> dB mel [128, T] float32
  reference_preprocessing.py inputs SAMPLES.f32 FRAMES.u8 H W START FRAME_COUNT OUT_DIR
        -> OUT_DIR/composite.u8 (1000x2500x3 BGR), global.f32 [3,1120,1120], crops.f32 [3,5,3,224,224]
"""
import sys

import cv2
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

SR, N_FFT, HOP, N_MELS = 22050, 2048, 512, 128


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mels = f / f_sp
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters():
    weights = np.zeros((N_MELS, 1 + N_FFT // 2), dtype=np.float32)
    fftfreqs = np.fft.rfftfreq(n=N_FFT, d=1.0 / SR)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SR / 2.0), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS])
    weights *= enorm[:, np.newaxis]
    return weights


def mel_db(y):
    y = y.astype(np.float32)
    padded = np.pad(y, (N_FFT // 2, N_FFT // 2), mode="constant")
    frames = 1 + len(y) // HOP
    n = np.arange(N_FFT)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    stft = np.fft.rfft(window[None, :] * padded[idx], axis=1).astype(np.complex64)  # [T, 1025]
    power = np.abs(stft) ** 2
    mel = (mel_filters() @ power.T.astype(np.float32)).astype(np.float32)
    log_spec = 10.0 * np.log10(np.maximum(1e-10, mel))
    log_spec -= 10.0 * np.log10(np.maximum(1e-10, np.min(mel)))
    return np.maximum(log_spec, log_spec.max() - 80.0).astype(np.float32)


def viridis(db):
    sm = matplotlib.cm.ScalarMappable(cmap="viridis")
    sm.set_clim(db.min(), db.max())
    return sm.to_rgba(db, bytes=True)  # [128, T, 4] RGBA, as plt.imsave writes it


def composite(db, frames_bgr, start, frame_count):
    mel = viridis(db)
    mapping = mel.shape[1] / frame_count
    begin = np.round(start * mapping)
    end = np.round((start + 5) * mapping)
    sub_mel = cv2.resize(mel[:, int(begin):int(end)], (500 * 5, 500))
    frames = [cv2.resize(cv2.cvtColor(f, cv2.COLOR_BGR2RGBA), (500, 500)) for f in frames_bgr]
    x = np.concatenate(frames, axis=1)
    x = np.concatenate((sub_mel[:, :, :3], x[:, :, :3]), axis=0)  # RGB, written to PNG
    return x[:, :, ::-1].copy()  # cv2.imread gives BGR


def model_inputs(comp_bgr):
    img = torch.tensor(comp_bgr, dtype=torch.float32).permute(2, 0, 1)
    resize = lambda t, s: F.interpolate(t[None], size=(s, s), mode="bilinear", align_corners=False)[0]
    crops = [[resize(img[:, 500:, i:i + 500], 224) for i in range(5)], [], []]
    for i in range(5):
        crops[1].append(resize(crops[0][i][:, 28:196, 28:196], 224))
        crops[2].append(resize(crops[0][i][:, 61:163, 61:163], 224))
    g = resize(img, 1120)
    c = torch.stack([torch.stack(s, 0) for s in crops], 0)
    return g.numpy(), c.numpy()


if __name__ == "__main__":
    if sys.argv[1] == "mel":
        mel_db(np.fromfile(sys.argv[2], dtype="<f4")).astype("<f4").tofile(sys.argv[3])
    elif sys.argv[1] == "inputs":
        y = np.fromfile(sys.argv[2], dtype="<f4")
        h, w, start, count, out = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
        raw = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(5, h, w, 3)
        comp = composite(mel_db(y), [raw[i] for i in range(5)], start, count)
        comp.astype(np.uint8).tofile(out + "/composite.u8")
        g, c = model_inputs(comp)
        g.astype("<f4").tofile(out + "/global.f32")
        c.astype("<f4").tofile(out + "/crops.f32")
    else:
        raise SystemExit(__doc__)
