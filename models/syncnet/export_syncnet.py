#!/usr/bin/python3
"""Exports SyncNet to ONNX plus a lipsync-guard manifest (with the ONNX file's sha256).

  /usr/bin/python3 models/syncnet/export_syncnet.py --weights syncnet_v2.model --out DIR
  /usr/bin/python3 models/syncnet/export_syncnet.py --random-init --seed 1 --out DIR [--test-vectors DIR]

--weights takes the official syncnet_python state dict (fetched by the user; nothing is downloaded here).
--random-init exports the same architecture with seeded random weights, for tests. --test-vectors writes seeded
inputs, the torch outputs on them and syncnet_python's distance/offset/confidence read-out as little-endian float32
files, so the Java side can check ONNX Runtime against torch.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from export_common import export_parser, sha256_of, write_f32, write_manifest  # noqa: E402

from syncnet_model import SyncNet, SyncNetEmbeddings, calc_pdist, offset_and_confidence

VSHIFT = 15


def manifest(model_id, version, sha256, source):
    return {
        "id": model_id,
        "version": version,
        "family": "syncnet",
        "description": "SyncNet (Chung & Zisserman 2016) exported from syncnet_python's architecture by "
                       "models/syncnet/export_syncnet.py; weights: " + source + ". Video: 5 consecutive 224x224 "
                       "face crops, BGR, raw 0..255, [N,3,5,224,224]. Audio: 13 MFCCs (python_speech_features "
                       "defaults on int16-scale samples) x 20 frames at 100 Hz, [N,1,13,20]. Offset = 15 - argmin of "
                       "the mean distance over lags -15..+15, confidence = median - min (syncnet_python).",
        "file": "syncnet.onnx",
        "sha256": sha256,
        "preprocessing": {
            # job windows of 1 s (21 five-frame stacks each) every 1 s; the model itself sees 5-frame stacks
            "fps": 25, "sampleRate": 16000, "windowFrames": 25, "strideFrames": 25, "offsetMarginFrames": VSHIFT,
            "crop": {"kind": "face", "width": 224, "height": 224, "channels": 3, "scales": [1.0],
                     "normalization": "raw255"},
            "audio": {"kind": "mfcc", "nMels": 26, "nFft": 512, "winLength": 400, "hopLength": 160, "fMin": 0,
                      "fMax": 8000, "melFramesPerVideoFrame": 4, "nMfcc": 13, "log": "ln"},
        },
        "inputs": [
            {"name": "video", "shape": [-1, 3, 5, 224, 224], "dtype": "float32", "feeds": "face_crops"},
            {"name": "audio", "shape": [-1, 1, 13, 20], "dtype": "float32", "feeds": "audio_features"},
        ],
        "outputs": [
            {"name": "video_embedding", "shape": [-1, 1024], "dtype": "float32", "meaning": "video_embedding"},
            {"name": "audio_embedding", "shape": [-1, 1024], "dtype": "float32", "meaning": "audio_embedding"},
        ],
        "thresholds": {"decision": 0.5, "uncertainBand": 0.1, "minEvidenceWindows": 3, "minFaceFraction": 0.8,
                       "minSpeechFraction": 0.3},
        "calibration": {"distance": "euclidean", "toleranceFrames": 3, "bias": 2.0, "weightConfidence": -1.0,
                        "weightOffset": 1.0},
        "calibrationNotes": "NOT fitted: window probability = sigmoid(bias + weightConfidence * confidence + "
                            "weightOffset * max(0, |offset| - toleranceFrames)) with placeholder weights",
    }


def main():
    p = export_parser("--weights", "syncnet", "1.0.0")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    net = SyncNet()
    if a.weights:
        state = torch.load(a.weights, map_location="cpu")
        net.load_state_dict(state)
        source = "official weights " + os.path.basename(a.weights)
    else:
        # random BatchNorm statistics too, so the export's handling of them is exercised
        for m in net.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        source = "random initialisation, seed %d (NOT trained: for tests only)" % a.seed
    net.eval()
    model = SyncNetEmbeddings(net).eval()

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "syncnet.onnx")
    video = torch.zeros(1, 3, 5, 224, 224)
    audio = torch.zeros(1, 1, 13, 20)
    torch.onnx.export(model, (video, audio), onnx_path, input_names=["video", "audio"],
                      output_names=["video_embedding", "audio_embedding"],
                      # separate batch sizes: a window has 2K more audio stacks than video stacks
                      dynamic_axes={"video": {0: "nv"}, "audio": {0: "na"}, "video_embedding": {0: "nv"},
                                    "audio_embedding": {0: "na"}}, opset_version=13)
    sha = sha256_of(onnx_path)
    write_manifest(a.out, manifest(a.id, a.version, sha, source))

    if a.test_vectors:
        os.makedirs(a.test_vectors, exist_ok=True)
        g = torch.Generator().manual_seed(a.seed + 1000)
        n = 8
        video = torch.randint(0, 256, (n, 3, 5, 224, 224), generator=g).float()
        audio = torch.randn(n, 1, 13, 20, generator=g) * 10
        with torch.no_grad():
            v_emb, a_emb = model(video, audio)
            mdist, offset, conf = offset_and_confidence(calc_pdist(v_emb, a_emb, VSHIFT), VSHIFT)
        write_f32(os.path.join(a.test_vectors, "video.bin"), video.numpy())
        write_f32(os.path.join(a.test_vectors, "audio.bin"), audio.numpy())
        write_f32(os.path.join(a.test_vectors, "video_embedding.bin"), v_emb.numpy())
        write_f32(os.path.join(a.test_vectors, "audio_embedding.bin"), a_emb.numpy())
        write_f32(os.path.join(a.test_vectors, "mean_distance.bin"), mdist.numpy())
        write_f32(os.path.join(a.test_vectors, "offset_confidence.bin"), [offset, conf])


if __name__ == "__main__":
    main()
