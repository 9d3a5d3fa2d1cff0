// Simplified Chinese spoken prompts; espeak-ng reads them with its Mandarin voice (cmn-latn-pinyin).
import type fr from '../fr/voice';

export default {
  'voice.listen': '收听',
  'voice.prompt.attract': '您好。请触摸屏幕，通过视频与魁北克政府的工作人员交谈。',
  'voice.prompt.closed': '视频服务窗口已关闭。请在营业时间内再来，或拨打免费电话联系我们。',
  'voice.prompt.language': '请触摸语言名称，选择您的语言。',
  'voice.prompt.service': '您需要什么服务？请触摸您需要的服务。',
  'voice.prompt.visitType': '您有预约吗？请触摸：我有预约。如果没有，请触摸：没有预约。',
  'voice.prompt.appointmentCode': '请用键盘输入您的预约代码，然后触摸确认。代码在您的确认通知上。',
  'voice.prompt.consent': '开始之前。您的图像和声音只在通话期间实时传送，不会录制任何内容。您同意打开摄像头和麦克风吗？请触摸同意或不同意。',
  'voice.prompt.declined': '没关系。您也可以拨打免费电话联系我们。',
  'voice.prompt.deviceCheck': '我们来检查摄像头和麦克风。屏幕上会显示您的图像。请说话：如果麦克风听到您，横条会移动。然后请触摸继续。',
  'voice.prompt.videoUnavailable': '摄像头或麦克风无法使用。请重试，或拨打免费电话联系我们。',
  'voice.prompt.waiting': '工作人员即将为您服务。请留在屏幕前，屏幕上会显示您的排队位置。',
  'voice.prompt.agentAnswered': '工作人员正在为您服务。',
  'voice.prompt.callFailed.noAgent': '目前没有可以接听的工作人员。您可以重试，或拨打免费电话联系我们。',
  'voice.prompt.callFailed.dropped': '通话已中断。您可以重试，或拨打免费电话联系我们。',
  'voice.prompt.callFailed.hubOffline': '服务暂时无法使用。您可以重试，或拨打免费电话联系我们。',
  'voice.prompt.callFailed.error': '出现了错误。您可以重试，或拨打免费电话联系我们。',
  'voice.prompt.callback': '请留下您的姓名和电话号码，工作人员会给您回电。',
  'voice.prompt.callback.saved': '您的请求已登记。工作人员会给您回电。',
  'voice.prompt.survey': '您对这次服务满意吗？请触摸一个表情作答，或触摸跳过。',
  'voice.prompt.thanks': '感谢您的光临。再见！',
  'voice.prompt.idle': '您还在吗？请触摸：是的，我还在，以继续。',
} as const satisfies Record<keyof typeof fr, string>;
