/** Products deals are made of: plausible categories, codes, specs, price ranges (fen per month) and resource-id shapes. */
export interface Product {
  readonly goodsCategoryId: number;
  readonly goodsName: string;
  readonly subGoodsName: string;
  readonly productCode: string;
  readonly subProductCode: string;
  readonly resourcePrefix: string;
  /** Monthly price range in fen. */
  readonly monthlyFen: readonly [number, number];
  readonly specs: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly zones: boolean;
}

export const PRODUCTS: readonly Product[] = [
  {
    goodsCategoryId: 100019, goodsName: '云服务器', subGoodsName: '云服务器-标准型S5', productCode: 'p_cvm', subProductCode: 'sp_cvm_s5',
    resourcePrefix: 'ins-', monthlyFen: [6500, 180000], zones: true,
    specs: [['规格', ['S5.MEDIUM2', 'S5.LARGE8', 'S5.2XLARGE16']], ['镜像', ['TencentOS Server 3.1', 'Ubuntu 22.04']], ['系统盘', ['高性能云硬盘 50GB']]],
  },
  {
    goodsCategoryId: 100020, goodsName: '云硬盘', subGoodsName: '云硬盘-SSD云硬盘', productCode: 'p_cbs', subProductCode: 'sp_cbs_ssd',
    resourcePrefix: 'disk-', monthlyFen: [3500, 80000], zones: true,
    specs: [['云硬盘类型', ['SSD云硬盘', '增强型SSD云硬盘']], ['容量', ['100GB', '500GB', '1000GB']]],
  },
  {
    goodsCategoryId: 100021, goodsName: '内容分发网络', subGoodsName: 'CDN-流量包', productCode: 'p_cdn', subProductCode: 'sp_cdn_flux_pkg',
    resourcePrefix: 'cdnpkg-', monthlyFen: [1800, 250000], zones: false,
    specs: [['流量包规格', ['100GB', '1TB', '5TB']], ['适用区域', ['中国境内']]],
  },
  {
    goodsCategoryId: 100022, goodsName: '对象存储', subGoodsName: '对象存储-标准存储容量包', productCode: 'p_cos', subProductCode: 'sp_cos_std_pkg',
    resourcePrefix: 'cospkg-', monthlyFen: [900, 60000], zones: false,
    specs: [['存储容量', ['50GB', '500GB', '1TB']], ['地域', ['华南地区（广州）', '华东地区（上海）']]],
  },
  {
    goodsCategoryId: 100023, goodsName: '负载均衡', subGoodsName: '负载均衡-性能容量型', productCode: 'p_clb', subProductCode: 'sp_clb_lcu',
    resourcePrefix: 'lb-', monthlyFen: [4000, 120000], zones: true,
    specs: [['实例规格', ['clb.c2.medium', 'clb.c3.small']], ['网络类型', ['公网', '内网']]],
  },
  {
    goodsCategoryId: 100024, goodsName: '云数据库 MySQL', subGoodsName: '云数据库MySQL-双节点', productCode: 'p_cdb', subProductCode: 'sp_cdb_ha',
    resourcePrefix: 'cdb-', monthlyFen: [12000, 600000], zones: true,
    specs: [['内存', ['1GB', '4GB', '16GB']], ['硬盘', ['50GB', '200GB']], ['架构', ['双节点']]],
  },
  {
    goodsCategoryId: 101832, goodsName: '腾讯会议(SAAS版)', subGoodsName: '腾讯会议(SAAS版企业版)', productCode: 'p_wemeet', subProductCode: 'sp_wemeet_ent',
    resourcePrefix: '700000942629_', monthlyFen: [58000, 700000], zones: false,
    specs: [['企业版高级账号', ['10', '50']], ['300方虚拟会议室', ['1', '9']]],
  },
  {
    goodsCategoryId: 100025, goodsName: 'SSL证书', subGoodsName: 'SSL证书-OV通配符', productCode: 'p_ssl', subProductCode: 'sp_ssl_ov_wildcard',
    resourcePrefix: 'cert-', monthlyFen: [40000, 400000], zones: false,
    specs: [['证书类型', ['OV', 'EV']], ['域名类型', ['通配符', '单域名']]],
  },
];

export const ZONES = ['ap-guangzhou-3', 'ap-guangzhou-6', 'ap-shanghai-2', 'ap-beijing-5', 'ap-chengdu-1'] as const;
