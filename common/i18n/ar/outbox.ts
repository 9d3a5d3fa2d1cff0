// Arabic: the citizen's callback form. Phone numbers sit in a left-to-right isolate (\u2066…\u2069):
// without it the bidi algorithm shows "418 555-0123" as "555-0123 418" in a right-to-left line.
import type fr from '../fr/outbox';

export default {
  'callback.title': 'اترك بيانات الاتصال بك وسيتصل بك أحد الموظفين',
  'callback.reason.no_agent': 'لا يوجد موظف متاح في الوقت الحالي.',
  'callback.reason.call_failed': 'تعذّر إجراء المكالمة.',
  'callback.reason.hub_unreachable': 'خدمة مكالمات الفيديو غير متاحة مؤقتًا.',
  'callback.reason.closed': 'المكتب مغلق الآن.',
  'callback.name.label': 'اسمك',
  'callback.phone.label': 'رقم هاتفك',
  'callback.phone.hint': 'مثال: \u2066418 555-0123\u2069',
  'callback.window.label': 'متى تفضّل أن نتصل بك؟',
  'callback.window.morning': 'صباحًا',
  'callback.window.afternoon': 'بعد الظهر',
  'callback.window.any': 'في أي وقت',
  'callback.privacy': 'تُستخدم بياناتك للاتصال بك فقط. تُشفَّر على الجهاز وتُحذف منه فور إرسالها.',
  'callback.submit': 'إرسال طلبي',
  'callback.saving': 'جارٍ الحفظ…',
  'callback.saved': 'تم تسجيل طلبك',
  'callback.saved.detail': 'سيتصل بك أحد الموظفين. يمكنك مغادرة الجهاز الآن.',
  'callback.finish': 'إنهاء',
  'callback.error.name': 'اكتب اسمك.',
  'callback.error.phone': 'هذا الرقم غير صالح. اكتب 10 أرقام، مثل \u2066418 555-0123\u2069.',
  'callback.error.window': 'اختر وقتًا للاتصال بك.',
  'callback.error.full': 'لا يمكننا قبول طلبات جديدة في الوقت الحالي. يُرجى الاتصال بالرقم \u2066{tollFree}\u2069.',
  'callback.error.generic': 'تعذّر تسجيل طلبك. يُرجى إعادة المحاولة.',
  'callback.key.space': 'مسافة',
  'callback.key.erase': 'مسح',
} satisfies Partial<Record<keyof typeof fr, string>>;
