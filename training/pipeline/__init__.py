"""The tf.data input pipeline: decoding, class balance and the robustness augmentations."""
