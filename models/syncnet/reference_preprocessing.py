#!/usr/bin/python3
"""Python reference of the SyncNet preprocessing the Java job implements (io.lipsyncguard.job.media.SyncNetMfcc and
SyncNetTensors), used by the parity tests.

MFCC: python_speech_features.mfcc with its defaults, as syncnet_python calls it (python_speech_features is not a
Debian package, so its v0.6 algorithm is restated here with numpy only): pre-emphasis 0.97; 25 ms frames every 10 ms
(400/160 samples at 16 kHz, rectangular window, zero-padded at the end); power spectrum |rfft_512|^2 / 512; 26
triangular mel filters (2595*log10(1 + f/700)) over 0..8000 Hz on bins floor(513*hz/16000); natural log (zeros -> eps);
DCT-II (orthonormal), first 13 coefficients; sinusoidal lifter L = 22; coefficient 0 replaced by log frame energy.
The samples are on the int16 scale (syncnet_python reads 16-bit WAV with scipy), i.e. float samples x 32768.

  reference_preprocessing.py mfcc SAMPLES.f32 OUT.f64        # float32 samples (int16 scale) -> [frames, 13] float64
  reference_preprocessing.py audio SAMPLES.f32 N OUT.f32     # the MFCC blocks of video frames 0..N-1 -> [N, 1, 13, 20]
  reference_preprocessing.py video CROPS.u8 N OUT.f32        # N 224x224x3 BGR crops -> [N-4, 3, 5, 224, 224]
"""
import math
import sys

import numpy as np

EPS = np.finfo(float).eps


def round_half_up(x):
    return int(math.floor(x + 0.5))


def framesig(sig, frame_len, frame_step):
    slen = len(sig)
    frame_len = round_half_up(frame_len)
    frame_step = round_half_up(frame_step)
    numframes = 1 if slen <= frame_len else 1 + int(math.ceil((1.0 * slen - frame_len) / frame_step))
    padlen = int((numframes - 1) * frame_step + frame_len)
    padsignal = np.concatenate((sig, np.zeros((padlen - slen,))))
    idx = np.tile(np.arange(0, frame_len), (numframes, 1)) + np.tile(np.arange(0, numframes * frame_step,
                                                                               frame_step), (frame_len, 1)).T
    return padsignal[idx.astype(np.int32)]


def filterbanks(nfilt=26, nfft=512, samplerate=16000, lowfreq=0, highfreq=8000):
    hz2mel = lambda hz: 2595 * np.log10(1 + hz / 700.)
    mel2hz = lambda mel: 700 * (10 ** (mel / 2595.0) - 1)
    melpoints = np.linspace(hz2mel(lowfreq), hz2mel(highfreq), nfilt + 2)
    bins = np.floor((nfft + 1) * mel2hz(melpoints) / samplerate)
    fbank = np.zeros([nfilt, nfft // 2 + 1])
    for j in range(nfilt):
        for i in range(int(bins[j]), int(bins[j + 1])):
            fbank[j, i] = (i - bins[j]) / (bins[j + 1] - bins[j])
        for i in range(int(bins[j + 1]), int(bins[j + 2])):
            fbank[j, i] = (bins[j + 2] - i) / (bins[j + 2] - bins[j + 1])
    return fbank


def dct2_ortho(x):
    n = x.shape[1]
    k = np.arange(n)[:, None]
    basis = np.cos(np.pi * k * (2 * np.arange(n)[None, :] + 1) / (2 * n))
    scale = np.full(n, math.sqrt(2.0 / n))
    scale[0] = math.sqrt(1.0 / n)
    return (x @ basis.T) * scale


def mfcc(signal, samplerate=16000):
    signal = np.append(signal[0], signal[1:] - 0.97 * signal[:-1])
    frames = framesig(signal, 0.025 * samplerate, 0.01 * samplerate)
    pspec = 1.0 / 512 * np.square(np.absolute(np.fft.rfft(frames, 512)))
    energy = np.sum(pspec, 1)
    energy = np.where(energy == 0, EPS, energy)
    feat = pspec @ filterbanks().T
    feat = np.where(feat == 0, EPS, feat)
    feat = dct2_ortho(np.log(feat))[:, :13]
    lift = 1 + (22 / 2.) * np.sin(np.pi * np.arange(13) / 22)
    feat = feat * lift
    feat[:, 0] = np.log(energy)
    return feat


def video_stacks(crops):
    """syncnet_python: stack frames on axis 3, transpose to [1, C, T, H, W]; one 5-frame stack per start frame."""
    im = np.stack(crops, axis=3)             # [224, 224, 3, N]
    im = np.expand_dims(im, axis=0)          # [1, 224, 224, 3, N]
    im = np.transpose(im, (0, 3, 4, 1, 2))  # [1, 3, N, 224, 224]
    n = len(crops)
    return np.concatenate([im[:, :, i:i + 5] for i in range(n - 4)], axis=0).astype(np.float32)


if __name__ == "__main__":
    if sys.argv[1] == "mfcc":
        samples = np.fromfile(sys.argv[2], dtype="<f4").astype(np.float64)
        mfcc(samples).astype("<f8").tofile(sys.argv[3])
    elif sys.argv[1] == "audio":
        # syncnet_python: cc[:, :, :, 4*v : 4*v + 20] of the [1, 1, 13, frames] MFCC array, one per video frame v
        samples = np.fromfile(sys.argv[2], dtype="<f4").astype(np.float64)
        cc = np.expand_dims(np.expand_dims(np.array(list(zip(*mfcc(samples)))), axis=0), axis=0).astype(np.float32)
        n = int(sys.argv[3])
        np.concatenate([cc[:, :, :, v * 4:v * 4 + 20] for v in range(n)], axis=0).astype("<f4").tofile(sys.argv[4])
    elif sys.argv[1] == "video":
        n = int(sys.argv[3])
        crops = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(n, 224, 224, 3)
        video_stacks([crops[i] for i in range(n)]).astype("<f4").tofile(sys.argv[4])
    else:
        raise SystemExit(__doc__)
