/**
 * Capture constraints of a call's video (agent and, by default, kiosk): 720p is what a face-to-face
 * counter needs. The benchmark's raw WebRTC floor uses the same, so ratios compare like with like.
 */
export const callVideoConstraints = { width: { ideal: 1280 }, height: { ideal: 720 } } as const;
export const callAudioConstraints = { echoCancellation: true, noiseSuppression: true } as const;
