// YAMNet's 521 AudioSet class names in output order, shipped as data so that a pulled model is usable at once.
// yamnet-classes.json holds the display_name column of TensorFlow models' yamnet_class_map.csv (Apache-2.0), the
// file beside ../shared/models/yamnet/yamnet.tflite; test/engines/sounds/yamnet.test.ts checks they stay equal.

import classes from './yamnet-classes.json' with { type: 'json' };

export const YAMNET_CLASSES: readonly string[] = classes;
