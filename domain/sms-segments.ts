export type SmsEncoding = 'GSM-7' | 'UCS-2';
