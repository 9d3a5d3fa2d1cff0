// Arabic: the enrollment screen as a passer-by sees it.
import type fr from '../fr/enroll';

export default {
  'enroll.title': 'هذا الكشك المرئي ليس في الخدمة بعد',
  'enroll.revokedTitle': 'تمت إزالة هذا الكشك المرئي من الشبكة',
  'enroll.citizen': 'سيكون جاهزًا قريبًا. يُرجى التوجه إلى الشباك للحصول على الخدمة.',
  'enroll.codeLabel': 'رمز التسجيل',
  'enroll.steps': 'الفني: افتح وحدة تحكم المركز، واختر «تسجيل كشك»، وأدخل هذا الرمز أو امسح رمز QR، ثم وافق.',
  'enroll.hub': 'المركز: {hub}',
  'enroll.expires': 'تنتهي صلاحية هذا الرمز في {time}؛ ثم يحل محله رمز جديد.',
  'enroll.fingerprint': 'بصمة المفتاح: {fingerprint}',
  'enroll.qr': 'امسح لتسجيل هذا الكشك',
  'enroll.starting': 'جارٍ الاتصال بالمركز…',
  'enroll.retrying': 'المركز لا يستجيب. جارٍ المحاولة مرة أخرى…',
} satisfies Partial<Record<keyof typeof fr, string>>;
