// The kiosk's component library: every screen is built from these.
export { Button, type ButtonProps } from './button';
export { Pictogram, type PictogramProps } from './pictogram';
export { ScreenFrame, TopBar, type ScreenFrameProps } from './screen-frame';
export { Keyboard, layoutFor, type KeyboardProps, type KeyboardVariant } from './keyboard';
export { TextField, type TextFieldProps } from './text-field';
export { QrCode, asUrl } from './qr';
export { KioskContext, SlotsContext, useKiosk, type MediaView, type ScreenProps, type TopBarSlots, type VisitUi } from './context';
