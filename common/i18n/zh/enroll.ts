// Chinese (Simplified): the enrollment screen as a passer-by sees it.
import type fr from '../fr/enroll';

export default {
  'enroll.title': '本视频服务亭尚未投入使用',
  'enroll.revokedTitle': '本视频服务亭已从网络中移除',
  'enroll.citizen': '很快就会准备就绪。请前往柜台办理。',
  'enroll.codeLabel': '注册码',
  'enroll.steps': '技术人员：打开中心控制台，选择“注册服务亭”，输入此代码或扫描二维码，然后批准。',
  'enroll.hub': '中心：{hub}',
  'enroll.expires': '此代码于 {time} 过期，届时将由新代码取代。',
  'enroll.fingerprint': '密钥指纹：{fingerprint}',
  'enroll.qr': '扫描以注册此服务亭',
  'enroll.starting': '正在连接中心…',
  'enroll.retrying': '中心没有响应。正在重试…',
} satisfies Partial<Record<keyof typeof fr, string>>;
