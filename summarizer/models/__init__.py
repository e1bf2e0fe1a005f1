"""Model runtime: device and precision choice, the sentence encoder (torch or ONNX Runtime), seq2seq generators."""
