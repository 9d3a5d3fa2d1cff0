// Arabic spoken prompts (Modern Standard Arabic, formal address). espeak-ng's Arabic voice reads
// unvowelled text approximately: these are the first prompts to replace with studio recordings.
import type fr from '../fr/voice';

export default {
  'voice.listen': 'استمع',
  'voice.prompt.attract': 'مرحبًا. المس الشاشة للتحدث عبر الفيديو مع موظف من حكومة كيبيك.',
  'voice.prompt.closed': 'شبّاك الفيديو مغلق. عُد خلال ساعات العمل، أو اتصل بنا مجانًا.',
  'voice.prompt.language': 'اختر لغتك بلمس اسمها.',
  'voice.prompt.service': 'ما الخدمة التي تحتاجها؟ المس الخدمة التي تريدها.',
  'voice.prompt.visitType': 'هل لديك موعد؟ المس: لديّ موعد. وإلا، المس: بدون موعد.',
  'voice.prompt.appointmentCode': 'أدخل رمز موعدك بلوحة المفاتيح، ثم المس تأكيد. الرمز مكتوب في رسالة التأكيد.',
  'voice.prompt.consent':
    'قبل أن نبدأ. تُنقل صورتك وصوتك مباشرة، أثناء المكالمة فقط. لا يُسجَّل أي شيء. هل توافق على تشغيل الكاميرا والميكروفون؟ المس أوافق، أو الميكروفون فقط، أو لا أوافق.',
  'voice.prompt.declined': 'لا مشكلة. يمكنك أيضًا التواصل معنا عبر الهاتف مجانًا.',
  'voice.prompt.deviceCheck': 'لنتحقق من الكاميرا والميكروفون. صورتك تظهر على الشاشة. تكلّم: يتحرك الشريط إذا كان الميكروفون يسمعك. ثم المس متابعة.',
  'voice.prompt.deviceCheck.audioOnly': 'لنتحقق من الميكروفون. تكلّم: يتحرك الشريط إذا كان الميكروفون يسمعك. ثم المس متابعة.',
  'voice.prompt.videoUnavailable': 'الكاميرا أو الميكروفون لا يعمل. حاول مرة أخرى، أو اتصل بنا مجانًا.',
  'voice.prompt.videoUnavailable.audioCall': 'الكاميرا أو الميكروفون لا يعمل. حاول مرة أخرى، أو تحدّث مع موظف بدون كاميرا، أو اتصل بنا مجانًا.',
  'voice.prompt.waiting': 'سيجيبك أحد الموظفين. ابقَ أمام الشاشة: يظهر عليها دورك في الانتظار.',
  'voice.prompt.waiting.noAgent': 'لا يوجد موظف متاح في الوقت الحالي. ستحتفظ بدورك: سيرد عليك موظف فور عودته.',
  'voice.prompt.agentAnswered': 'أحد الموظفين يجيبك الآن.',
  'voice.prompt.callFailed.noAgent': 'لا يوجد موظف متاح في الوقت الحالي. يمكنك المحاولة مرة أخرى، أو الاتصال بنا مجانًا.',
  'voice.prompt.callFailed.dropped': 'انقطعت المكالمة. يمكنك المحاولة مرة أخرى، أو الاتصال بنا مجانًا.',
  'voice.prompt.callFailed.agentLost': 'انقطع اتصال الموظف. المس إعادة المحاولة للتحدث مع الموظف التالي في مقدمة الصف، أو اترك بياناتك.',
  'voice.prompt.callFailed.hubOffline': 'الخدمة غير متاحة مؤقتًا. يمكنك المحاولة مرة أخرى، أو الاتصال بنا مجانًا.',
  'voice.prompt.callFailed.error': 'حدث خطأ. يمكنك المحاولة مرة أخرى، أو الاتصال بنا مجانًا.',
  'voice.prompt.callback': 'اترك اسمك ورقم هاتفك: سيتصل بك أحد الموظفين.',
  'voice.prompt.callback.saved': 'تم تسجيل طلبك. سيتصل بك أحد الموظفين.',
  'voice.prompt.survey': 'كيف كانت زيارتك؟ المس وجهًا للإجابة، أو المس تخطٍّ.',
  'voice.prompt.thanks': 'شكرًا لزيارتك. إلى اللقاء!',
  'voice.prompt.idle': 'هل ما زلت هنا؟ المس: نعم، أنا هنا، للمتابعة.',
  'voice.prompt.idle.waiting': 'هل ما زلت هنا؟ ستحتفظ بدورك في الطابور. المس الشاشة إذا كنت لا تزال هنا.',
} as const satisfies Record<keyof typeof fr, string>;
