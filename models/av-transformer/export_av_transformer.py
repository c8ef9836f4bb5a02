#!/usr/bin/python3
"""Exports the seed-001 audio-visual transformer (av_transformer.py) to ONNX plus a lipsync-guard manifest.

  /usr/bin/python3 models/av-transformer/export_av_transformer.py --random-init --seed 1 --out DIR [--test-vectors DIR]
  /usr/bin/python3 models/av-transformer/export_av_transformer.py --weights STATE_DICT.pt --out DIR

No trained weights exist yet: --random-init gives an untrained model of the right shape for tests. The inputs are the
ones the built-in sync-baseline takes (50 grey 32x32 mouth crops, 40-band log-mel with +-15 frames of context), so the
job runs it without new preprocessing.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from export_common import export_parser, sha256_of, write_f32, write_manifest  # noqa: E402

from av_transformer import AvTransformer

T, CROP, K, M, MELS = 50, 32, 15, 4, 40


def manifest(model_id, version, sha256, source, d, heads, layers):
    return {
        "id": model_id,
        "version": version,
        "family": "av-transformer",
        "description": "Audio-visual cross-attention + temporal transformer + artifact branch (seed 001), d=%d, "
                       "heads=%d, layers=%d; weights: %s." % (d, heads, layers, source),
        "file": "av-transformer.onnx",
        "sha256": sha256,
        "preprocessing": {
            "fps": 25, "sampleRate": 16000, "windowFrames": T, "strideFrames": 10, "offsetMarginFrames": K,
            "crop": {"kind": "mouth", "width": CROP, "height": CROP, "channels": 1, "scales": [1.0],
                     "normalization": "unit"},
            "audio": {"kind": "logmel", "nMels": MELS, "nFft": 512, "winLength": 400, "hopLength": 160, "fMin": 0,
                      "fMax": 8000, "melFramesPerVideoFrame": M, "log": "ln"},
        },
        "inputs": [
            {"name": "mouth", "shape": [-1, T, CROP, CROP], "dtype": "float32", "feeds": "mouth_crops"},
            {"name": "audio", "shape": [-1, (T + 2 * K) * M, MELS], "dtype": "float32", "feeds": "audio_features"},
        ],
        "outputs": [
            {"name": "fake_prob", "shape": [-1], "dtype": "float32", "meaning": "fake_probability"},
        ],
        "thresholds": {"decision": 0.5, "uncertainBand": 0.1, "minEvidenceWindows": 3, "minFaceFraction": 0.8,
                       "minSpeechFraction": 0.3},
        "calibration": {},
        "calibrationNotes": "untrained: the thresholds are placeholders and the verdicts mean nothing",
    }


def main():
    p = export_parser("--weights", "av-transformer", "0.1.0-untrained")
    p.add_argument("--d", type=int, default=32)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--layers", type=int, default=1)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    model = AvTransformer(T, CROP, K, M, MELS, a.d, a.heads, a.layers)
    if a.weights:
        model.load_state_dict(torch.load(a.weights, map_location="cpu"))
        source = os.path.basename(a.weights)
    else:
        source = "random initialisation, seed %d (untrained)" % a.seed
    model.eval()
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "av-transformer.onnx")
    torch.onnx.export(model, (torch.zeros(1, T, CROP, CROP), torch.zeros(1, (T + 2 * K) * M, MELS)), onnx_path,
                      input_names=["mouth", "audio"], output_names=["fake_prob"],
                      dynamic_axes={"mouth": {0: "n"}, "audio": {0: "n"}, "fake_prob": {0: "n"}}, opset_version=13)
    sha = sha256_of(onnx_path)
    write_manifest(a.out, manifest(a.id, a.version, sha, source, a.d, a.heads, a.layers))
    if a.test_vectors:
        os.makedirs(a.test_vectors, exist_ok=True)
        g = torch.Generator().manual_seed(a.seed + 1000)
        mouth = torch.rand(4, T, CROP, CROP, generator=g)
        audio = torch.randn(4, (T + 2 * K) * M, MELS, generator=g) * 3 - 5
        with torch.no_grad():
            prob = model(mouth, audio)
        write_f32(os.path.join(a.test_vectors, "mouth.bin"), mouth.numpy())
        write_f32(os.path.join(a.test_vectors, "audio.bin"), audio.numpy())
        write_f32(os.path.join(a.test_vectors, "fake_prob.bin"), prob.numpy())


if __name__ == "__main__":
    main()
