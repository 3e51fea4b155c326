"""ONNX export of RET-CLIP, its parity check, and the onnxruntime prediction path.

The package itself imports nothing: :mod:`retclip.export.layout`, :mod:`retclip.export.runtime`
and :mod:`retclip.export.predict` need only numpy, Pillow, onnxruntime and tokenizers, so
``retclip predict`` runs where torch is not installed; the export side
(:mod:`retclip.export.bundle` and the modules it calls) needs torch.
"""
