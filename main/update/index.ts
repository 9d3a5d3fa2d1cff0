export { UpdateError } from './errors';
export { createSwitchGate, type SwitchGate } from './gate';
export { generateReleaseKeys, parsePublicKey, publicKeyOfPrivate, signDetached } from './keys';
export { currentLink, readCurrentVersion, readState, releasesDir, stateFile, switchCurrent, writeState, type UpdateLayout, type UpdateStateFile } from './layout';
export { EXIT_UPDATE_RESTART, createKioskUpdates, type KioskUpdates } from './service';
export { unpackRelease } from './tar';
export { downloadBundle } from './download';
export { createUpdater, UPDATE_PATH, type Updater, type UpdateSource } from './updater';
export { verifyManifest } from './verify';
