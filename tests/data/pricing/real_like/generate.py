#!/usr/bin/env python3
"""Writes the "real-like" price files of this directory.

Each file keeps the structure of what the provider publishes (key names and order, number
formats, preambles, paging) and the decoys a full-size file carries, cut down to a few
instance types. The prices of the instances REFERENCE.md section 1 lists are its figures;
every decoy has a price that would give a wrong answer if the importer picked it. Run from
anywhere: `python3 tests/data/pricing/real_like/generate.py`; the output is committed, the
tests read it (tests/unit/pricing/real_like_test.cpp).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, text, newline="\n"):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline=newline) as f:
        f.write(text)


# --------------------------------------------------------------------------------------------
# AWS Price List offer file of AmazonEC2 for us-east-1 (JSON and CSV)
# --------------------------------------------------------------------------------------------

PUBLICATION = "2025-11-20T19:05:17Z"
VERSION = "20251120190517"
OD_TERM = "JRTCKXETXF"
HOURLY_RATE = "6YS6EN2CT7"
UPFRONT_RATE = "2TG2D8R56U"
RESERVED_CODES = {
    ("1yr", "standard", "No Upfront"): "4NA7Y494T4",
    ("1yr", "standard", "Partial Upfront"): "HU7G6KETJZ",
    ("1yr", "standard", "All Upfront"): "6QCMYABX3D",
    ("1yr", "convertible", "No Upfront"): "7NE97W5U4E",
    ("1yr", "convertible", "Partial Upfront"): "CUZHX8X6JH",
    ("1yr", "convertible", "All Upfront"): "VJWZNREJX2",
    ("3yr", "standard", "No Upfront"): "BPH4J8HBKS",
    ("3yr", "standard", "Partial Upfront"): "38NPMPTW36",
    ("3yr", "standard", "All Upfront"): "NQ3QZPMQV9",
    ("3yr", "convertible", "No Upfront"): "Z2E3P23VKM",
    ("3yr", "convertible", "Partial Upfront"): "R5XV2EPZQZ",
    ("3yr", "convertible", "All Upfront"): "MZU6U2429S",
}

# instance type -> (vcpu, memory, gpu, network, gpu memory)
SHAPES = {
    "p5.48xlarge": ("192", "2048 GiB", "8", "3200 Gigabit", "640 GB"),
    "p4d.24xlarge": ("96", "1152 GiB", "8", "400 Gigabit", "320 GB"),
    "p4de.24xlarge": ("96", "1152 GiB", "8", "400 Gigabit", "640 GB"),
    "p5e.48xlarge": ("192", "2048 GiB", "8", "3200 Gigabit", "1128 GB"),
    "p5en.48xlarge": ("192", "2048 GiB", "8", "3200 Gigabit", "1128 GB"),
    "g5.xlarge": ("4", "16 GiB", "1", "Up to 10 Gigabit", "24 GB"),
    "trn1.32xlarge": ("128", "512 GiB", "", "800 Gigabit", ""),
    "trn2.48xlarge": ("192", "2048 GiB", "", "3200 Gigabit", ""),
    "m7i.large": ("2", "8 GiB", "", "Up to 12500 Megabit", ""),
}

REGIONS = {
    "us-east-1": ("US East (N. Virginia)", "AWS Region", "", ""),
    "us-west-2": ("US West (Oregon)", "AWS Region", "USW2-", ""),
    "us-east-1-atl-2": ("US East (Atlanta)", "AWS Local Zone", "USE1-ATL2-", ""),
}

products = []  # (sku, family, attributes)
terms = []  # (term_type, sku, code, effective, dims[(rate, desc, unit, usd, begin, end)], attrs)
sku_counter = [0]


def new_sku(tag):
    # 16 upper-case letters and digits like AWS's, the tag readable in the middle.
    sku_counter[0] += 1
    base = ("%s%04dQX7ZP2M9WKHT" % (tag, sku_counter[0])).upper()
    return base[:16]


def instance_product(itype, region="us-east-1", os_="Linux", tenancy="Shared", capacity="Used",
                     sw="NA", license_="No License required", market="OnDemand",
                     family="Compute Instance"):
    vcpu, mem, gpu, net, gpumem = SHAPES[itype]
    location, loc_type, prefix, _ = REGIONS[region]
    usage = {"Shared": "BoxUsage", "Dedicated": "DedicatedUsage", "Host": "HostUsage"}[tenancy]
    if capacity == "UnusedCapacityReservation":
        usage = "UnusedBox"
    elif capacity == "AllocatedCapacityReservation":
        usage = "Reservation"
    if market == "CapacityBlock":
        usage = "CapacityBlockUsage"
    operation = {
        ("Linux", "NA"): "RunInstances",
        ("Linux", "SQL Std"): "RunInstances:0004",
        ("Linux", "SQL Web"): "RunInstances:0200",
        ("Linux", "SQL Ent"): "RunInstances:0100",
        ("Windows", "NA"): "RunInstances:0002",
        ("RHEL", "NA"): "RunInstances:0010",
        ("SUSE", "NA"): "RunInstances:000g",
        ("Ubuntu Pro", "NA"): "RunInstances:0g00",
        ("Red Hat Enterprise Linux with HA", "NA"): "RunInstances:1010",
    }[(os_, sw)]
    attrs = {
        "servicecode": "AmazonEC2",
        "location": location,
        "locationType": loc_type,
        "instanceType": itype,
        "currentGeneration": "Yes",
        "instanceFamily": "GPU instance" if gpu else "General purpose",
        "vcpu": vcpu,
        "physicalProcessor": "Intel Xeon Platinum 8488C",
        "clockSpeed": "3.2 GHz",
        "memory": mem,
        "storage": "8 x 3840 NVMe SSD" if itype.startswith("p5") else "EBS only",
        "networkPerformance": net,
        "processorArchitecture": "64-bit",
        "tenancy": tenancy,
        "operatingSystem": os_,
        "licenseModel": license_,
        "usagetype": prefix + usage + ":" + itype,
        "operation": operation,
        "availabilityzone": "NA",
        "capacitystatus": capacity,
        "classicnetworkingsupport": "false",
        "dedicatedEbsThroughput": "80000 Mbps",
        "ecu": "NA",
        "enhancedNetworkingSupported": "Yes",
        "intelAvxAvailable": "Yes",
        "intelAvx2Available": "Yes",
        "intelTurboAvailable": "Yes",
        "marketoption": market,
        "normalizationSizeFactor": "NA",
        "preInstalledSw": sw,
        "processorFeatures": "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo",
        "regionCode": region,
        "servicename": "Amazon Elastic Compute Cloud",
        "vpcnetworkingsupport": "true",
    }
    if gpu:
        attrs["gpu"] = gpu
        attrs["gpuMemory"] = gpumem
    sku = new_sku(itype.split(".")[0].replace("-", ""))
    products.append((sku, family, attrs))
    return sku


def on_demand(sku, usd, desc, effective="2025-06-01T00:00:00Z"):
    terms.append(("OnDemand", sku, OD_TERM, effective,
                  [(HOURLY_RATE, desc, "Hrs", usd, "0", "Inf")], {}))


def reserved(sku, lease, cls, option, hourly, upfront, itype,
             effective="2025-06-01T00:00:00Z"):
    code = RESERVED_CODES[(lease, cls, option)]
    dims = []
    if upfront is not None:
        dims.append((UPFRONT_RATE, "Upfront Fee", "Quantity", upfront, None, None))
    dims.append((HOURLY_RATE,
                 "Linux/UNIX (Amazon VPC), %s reserved instance applied" % itype, "Hrs",
                 hourly, "0", "Inf"))
    terms.append(("Reserved", sku, code, effective, dims,
                  {"LeaseContractLength": lease, "OfferingClass": cls, "PurchaseOption": option}))


def od_desc(usd, os_, itype, tenancy="Shared"):
    what = "Dedicated Usage" if tenancy == "Dedicated" else "On Demand"
    return "$%s per %s %s %s Instance Hour" % (("%.3f" % usd).rstrip("0").rstrip("."), what,
                                                os_, itype)


def add_decoys(itype, od, region="us-east-1"):
    """The SKUs every instance type has besides the one the catalog wants."""
    for os_, extra in (("Windows", 0.184 * int(SHAPES[itype][0]) / 2), ("RHEL", 1.44),
                       ("SUSE", 0.125), ("Ubuntu Pro", 0.336),
                       ("Red Hat Enterprise Linux with HA", 1.44 + 0.4)):
        sku = instance_product(itype, region, os_=os_)
        on_demand(sku, od + extra, od_desc(od + extra, os_, itype))
    for sw, extra in (("SQL Std", 11.52), ("SQL Web", 1.536), ("SQL Ent", 44.16)):
        sku = instance_product(itype, region, sw=sw)
        on_demand(sku, od + extra, od_desc(od + extra, "Linux", itype))
    sku = instance_product(itype, region, tenancy="Dedicated")
    on_demand(sku, od * 1.1, od_desc(od * 1.1, "Linux", itype, "Dedicated"))
    sku = instance_product(itype, region, tenancy="Host", capacity="AllocatedHost")
    on_demand(sku, 0.0, "$0.00 per Linux %s Dedicated Host Instance hour" % itype)
    for cap in ("UnusedCapacityReservation", "AllocatedCapacityReservation"):
        sku = instance_product(itype, region, capacity=cap)
        on_demand(sku, 0.0 if cap.startswith("Allocated") else od,
                  "$%s per %s Linux %s Instance Hour" %
                  ("0.00" if cap.startswith("Allocated") else "%.3f" % od,
                   "Unused Reservation" if cap.startswith("Unused") else "Reservation", itype))


# p4d.24xlarge: REFERENCE 21.957642 on-demand, 13.921094 = yrTerm1Standard.noUpfront.
P4D_RESERVED = [
    # written in the order a sort by term code gives (AWS's JSON is not sorted by option):
    ("3yr", "standard", "Partial Upfront", 4.3, 113000.0),
    ("1yr", "standard", "All Upfront", 0.0, 113900.0),
    ("1yr", "convertible", "No Upfront", 12.5, None),  # cheaper than standard: a decoy
    ("1yr", "convertible", "Partial Upfront", 7.52, 65900.0),
    ("1yr", "standard", "Partial Upfront", 6.628, 58061.0),
    ("3yr", "convertible", "All Upfront", 0.0, 263000.0),
    ("1yr", "standard", "No Upfront", 13.921094, None),
    ("3yr", "standard", "All Upfront", 0.0, 221600.0),
    ("3yr", "standard", "No Upfront", 9.46, None),
    ("1yr", "convertible", "All Upfront", 0.0, 129200.0),
    ("3yr", "convertible", "No Upfront", 11.2, None),
    ("3yr", "convertible", "Partial Upfront", 5.1, 134000.0),
]

sku = instance_product("p5.48xlarge")
on_demand(sku, 55.04, od_desc(55.04, "Linux", "p5.48xlarge"))
add_decoys("p5.48xlarge", 55.04)
sku = instance_product("p5.48xlarge", market="CapacityBlock")
on_demand(sku, 31.464, "$31.464 per Capacity Block Linux p5.48xlarge Instance Hour")
sku = instance_product("p5.48xlarge", region="us-west-2")
on_demand(sku, 55.04 * 1.0, od_desc(55.04, "Linux", "p5.48xlarge"))
sku = instance_product("p5.48xlarge", region="us-east-1-atl-2")
on_demand(sku, 61.8, od_desc(61.8, "Linux", "p5.48xlarge"))

sku = instance_product("p4d.24xlarge")
on_demand(sku, 21.957642, od_desc(21.957642, "Linux", "p4d.24xlarge"))
for lease, cls, option, hourly, upfront in P4D_RESERVED:
    reserved(sku, lease, cls, option, hourly, upfront, "p4d.24xlarge")
add_decoys("p4d.24xlarge", 21.957642)
win = [p for p in products if p[2]["instanceType"] == "p4d.24xlarge"
       and p[2]["operatingSystem"] == "Windows"][0][0]
reserved(win, "1yr", "standard", "No Upfront", 9.99, None, "p4d.24xlarge")  # Windows RI decoy
sku = instance_product("p4d.24xlarge", region="us-west-2")
on_demand(sku, 22.5, od_desc(22.5, "Linux", "p4d.24xlarge"))
reserved(sku, "1yr", "standard", "No Upfront", 12.0, None, "p4d.24xlarge")

sku = instance_product("p4de.24xlarge")
on_demand(sku, 27.44705, od_desc(27.44705, "Linux", "p4de.24xlarge"))
reserved(sku, "1yr", "standard", "Partial Upfront", 8.28, 72400.0, "p4de.24xlarge")
reserved(sku, "1yr", "standard", "No Upfront", 17.401365, None, "p4de.24xlarge")
reserved(sku, "1yr", "standard", "All Upfront", 0.0, 142300.0, "p4de.24xlarge")
add_decoys("p4de.24xlarge", 27.44705)

# p5e: Capacity Blocks only, no OnDemand term for the Linux SKU.
instance_product("p5e.48xlarge")
sku = instance_product("p5e.48xlarge", market="CapacityBlock")
on_demand(sku, 34.608, "$34.608 per Capacity Block Linux p5e.48xlarge Instance Hour")

sku = instance_product("p5en.48xlarge")
on_demand(sku, 63.296, od_desc(63.296, "Linux", "p5en.48xlarge"))
add_decoys("p5en.48xlarge", 63.296)

sku = instance_product("g5.xlarge")
on_demand(sku, 1.006, od_desc(1.006, "Linux", "g5.xlarge"))
# Only All Upfront and No Upfront for 1 year; No Upfront is the catalog's.
reserved(sku, "1yr", "standard", "All Upfront", 0.0, 5277.0, "g5.xlarge")
reserved(sku, "1yr", "standard", "No Upfront", 0.63378, None, "g5.xlarge")
add_decoys("g5.xlarge", 1.006)

sku = instance_product("trn1.32xlarge")
on_demand(sku, 21.5, od_desc(21.5, "Linux", "trn1.32xlarge"))
reserved(sku, "1yr", "standard", "No Upfront", 13.22895, None, "trn1.32xlarge")
reserved(sku, "3yr", "standard", "All Upfront", 0.0, 229400.0, "trn1.32xlarge")

# trn2: Capacity Blocks only, and no plain SKU at all.
sku = instance_product("trn2.48xlarge", market="CapacityBlock")
on_demand(sku, 35.763, "$35.763 per Capacity Block Linux trn2.48xlarge Instance Hour")

sku = instance_product("m7i.large")
on_demand(sku, 0.1008, od_desc(0.1008, "Linux", "m7i.large"))

# Dedicated Host, Data Transfer and Storage products: other families in the same file.
host_sku = new_sku("HOST")
products.append((host_sku, "Dedicated Host", {
    "servicecode": "AmazonEC2", "location": "US East (N. Virginia)", "locationType": "AWS Region",
    "instanceType": "p4d", "instanceFamily": "GPU instance", "tenancy": "Host",
    "usagetype": "HostUsage:p4d", "operation": "RunInstances", "capacitystatus": "Used",
    "regionCode": "us-east-1", "servicename": "Amazon Elastic Compute Cloud"}))
on_demand(host_sku, 24.15, "$24.15 per Dedicated Host p4d instance hour")
dt_sku = new_sku("DTOUT")
products.append((dt_sku, "Data Transfer", {
    "servicecode": "AWSDataTransfer", "transferType": "AWS Outbound", "fromLocation":
    "US East (N. Virginia)", "fromLocationType": "AWS Region", "toLocation": "External",
    "toLocationType": "Other", "usagetype": "DataTransfer-Out-Bytes", "operation": "",
    "fromRegionCode": "us-east-1", "servicename": "AWS Data Transfer"}))
terms.append(("OnDemand", dt_sku, OD_TERM, "2025-11-01T00:00:00Z", [
    ("8EEUB22XNJ", "$0.00 per GB - first 100 GB / month data transfer out", "GB", 0.0, "0", "100"),
    ("PGHJ3S3EYE", "$0.09 per GB - first 10 TB / month data transfer out", "GB", 0.09, "100",
     "10340"),
    ("WVV8R9FH29", "$0.085 per GB - next 40 TB / month data transfer out", "GB", 0.085, "10340",
     "51300"),
], {}))
ebs_sku = new_sku("EBSGP3")
products.append((ebs_sku, "Storage", {
    "servicecode": "AmazonEC2", "location": "US East (N. Virginia)", "locationType": "AWS Region",
    "storageMedia": "SSD-backed", "volumeType": "General Purpose", "maxVolumeSize": "16 TiB",
    "usagetype": "EBS:VolumeUsage.gp3", "operation": "", "regionCode": "us-east-1",
    "volumeApiName": "gp3", "servicename": "Amazon Elastic Compute Cloud"}))
on_demand(ebs_sku, 0.08, "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US "
          "East (Northern Virginia)")
terms[-1] = (terms[-1][0], terms[-1][1], terms[-1][2], terms[-1][3],
             [(HOURLY_RATE, terms[-1][4][0][1], "GB-Mo", 0.08, "0", "Inf")], {})


def price_str(usd):
    return "%.10f" % usd


def dims_json(sku, code, dims):
    out = {}
    for rate, desc, unit, usd, begin, end in dims:
        d = {"rateCode": "%s.%s.%s" % (sku, code, rate), "description": desc}
        if begin is not None:
            d["beginRange"] = begin
            d["endRange"] = end
        d["unit"] = unit
        d["pricePerUnit"] = {"USD": price_str(usd)}
        d["appliesTo"] = []
        out[d["rateCode"]] = d
    return out


def offer_json(with_region_code=True, terms_first=False):
    prods = {}
    for sku, family, attrs in products:
        a = dict(attrs)
        if not with_region_code:
            a.pop("regionCode", None)
            a.pop("fromRegionCode", None)
        prods[sku] = {"sku": sku, "productFamily": family, "attributes": a}
    t = {"OnDemand": {}, "Reserved": {}}
    for term_type, sku, code, effective, dims, attrs in terms:
        entry = {"offerTermCode": code, "sku": sku, "effectiveDate": effective,
                 "priceDimensions": dims_json(sku, code, dims), "termAttributes": attrs}
        t[term_type].setdefault(sku, {})["%s.%s" % (sku, code)] = entry
    doc = {"formatVersion": "v1.0",
           "disclaimer": "This pricing list is for informational purposes only. All prices are "
                         "subject to the AWS Service Terms, \"as is\", and may change.",
           "offerCode": "AmazonEC2", "version": VERSION, "publicationDate": PUBLICATION}
    if terms_first:
        doc["terms"] = t
        doc["products"] = prods
    else:
        doc["products"] = prods
        doc["terms"] = t
    doc["attributesList"] = {}
    return json.dumps(doc, indent=2) + "\n"


write("aws_offer_us-east-1.json", offer_json())
write("aws_offer_location_only.json", offer_json(with_region_code=False, terms_first=True))



def get_products():
    """`aws pricing get-products --service-code AmazonEC2 --filters
    Type=TERM_MATCH,Field=instanceType,Value=...`: each product with its terms as JSON text."""
    by_sku = {}
    for term_type, sku, code, effective, dims, attrs in terms:
        entry = {"priceDimensions": dims_json(sku, code, dims), "sku": sku,
                 "effectiveDate": effective, "offerTermCode": code, "termAttributes": attrs}
        by_sku.setdefault(sku, {}).setdefault(term_type, {})["%s.%s" % (sku, code)] = entry
    items = []
    for sku, family, attrs in products:
        if attrs.get("instanceType") not in ("p4d.24xlarge", "p5.48xlarge"):
            continue
        item = {"product": {"productFamily": family, "attributes": attrs, "sku": sku},
                "serviceCode": "AmazonEC2", "terms": by_sku.get(sku, {}),
                "version": VERSION, "publicationDate": PUBLICATION}
        items.append(json.dumps(item, separators=(",", ":")))
    return json.dumps({"FormatVersion": "aws_v1", "PriceList": items,
                       "NextToken": None}, indent=4) + "\n"


write("aws_get_products.json", get_products())

CSV_COLUMNS = [
    "SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
    "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "RelatedTo",
    "LeaseContractLength", "PurchaseOption", "OfferingClass", "Product Family", "serviceCode",
    "Location", "Location Type", "Instance Type", "Current Generation", "Instance Family",
    "vCPU", "Physical Processor", "Clock Speed", "Memory", "Storage", "Network Performance",
    "Processor Architecture", "Storage Media", "Volume Type", "Max Volume Size",
    "Max IOPS/volume", "Max IOPS Burst Performance", "Max throughput/volume", "Provisioned",
    "Tenancy", "EBS Optimized", "Operating System", "License Model", "Group",
    "Group Description", "Transfer Type", "From Location", "From Location Type", "To Location",
    "To Location Type", "usageType", "operation", "AvailabilityZone", "CapacityStatus",
    "ClassicNetworkingSupport", "Dedicated EBS Throughput", "ECU", "Elastic Graphics Type",
    "Enhanced Networking Supported", "From Region Code", "GPU", "GPU Memory", "Instance",
    "Instance Capacity - 10xlarge", "Instance Capacity - 12xlarge", "Instance Capacity - 16xlarge",
    "Instance Capacity - 18xlarge", "Instance Capacity - 24xlarge", "Instance Capacity - 2xlarge",
    "Instance Capacity - 32xlarge", "Instance Capacity - 4xlarge", "Instance Capacity - 8xlarge",
    "Instance Capacity - 9xlarge", "Instance Capacity - large", "Instance Capacity - medium",
    "Instance Capacity - metal", "Instance Capacity - xlarge", "instanceSKU",
    "Intel AVX2 Available", "Intel AVX Available", "Intel Turbo Available", "MarketOption",
    "Normalization Size Factor", "Physical Cores", "Pre Installed S/W", "Processor Features",
    "Product Type", "Region Code", "Resource Type", "serviceName", "SnapshotArchiveFeeType",
    "To Region Code", "Volume API Name", "VPCNetworkingSupport",
]
ATTR_COLUMN = {
    "servicecode": "serviceCode", "location": "Location", "locationType": "Location Type",
    "instanceType": "Instance Type", "currentGeneration": "Current Generation",
    "instanceFamily": "Instance Family", "vcpu": "vCPU", "physicalProcessor": "Physical Processor",
    "clockSpeed": "Clock Speed", "memory": "Memory", "storage": "Storage",
    "networkPerformance": "Network Performance", "processorArchitecture": "Processor Architecture",
    "tenancy": "Tenancy", "operatingSystem": "Operating System", "licenseModel": "License Model",
    "usagetype": "usageType", "operation": "operation", "availabilityzone": "AvailabilityZone",
    "capacitystatus": "CapacityStatus", "classicnetworkingsupport": "ClassicNetworkingSupport",
    "dedicatedEbsThroughput": "Dedicated EBS Throughput", "ecu": "ECU",
    "enhancedNetworkingSupported": "Enhanced Networking Supported", "gpu": "GPU",
    "gpuMemory": "GPU Memory", "intelAvxAvailable": "Intel AVX Available",
    "intelAvx2Available": "Intel AVX2 Available", "intelTurboAvailable": "Intel Turbo Available",
    "marketoption": "MarketOption", "normalizationSizeFactor": "Normalization Size Factor",
    "preInstalledSw": "Pre Installed S/W", "processorFeatures": "Processor Features",
    "regionCode": "Region Code", "servicename": "serviceName",
    "vpcnetworkingsupport": "VPCNetworkingSupport", "storageMedia": "Storage Media",
    "volumeType": "Volume Type", "maxVolumeSize": "Max Volume Size",
    "volumeApiName": "Volume API Name", "transferType": "Transfer Type",
    "fromLocation": "From Location", "fromLocationType": "From Location Type",
    "toLocation": "To Location", "toLocationType": "To Location Type",
    "fromRegionCode": "From Region Code",
}


def q(s):
    return '"' + str(s).replace('"', '""') + '"'


def offer_csv():
    lines = [
        q("FormatVersion") + "," + q("v1.0"),
        q("Disclaimer") + "," + q("This pricing list is for informational purposes only. All "
                                  "prices are subject to the AWS Service Terms, \"as is\", and "
                                  "may change."),
        q("Publication Date") + "," + q(PUBLICATION),
        q("Version") + "," + q(VERSION),
        q("OfferCode") + "," + q("AmazonEC2"),
        ",".join(q(c) for c in CSV_COLUMNS),
    ]
    by_sku = {sku: (family, attrs) for sku, family, attrs in products}
    for term_type, sku, code, effective, dims, tattrs in terms:
        family, attrs = by_sku[sku]
        for rate, desc, unit, usd, begin, end in dims:
            row = {c: "" for c in CSV_COLUMNS}
            row.update({
                "SKU": sku, "OfferTermCode": code, "RateCode": "%s.%s.%s" % (sku, code, rate),
                "TermType": term_type, "PriceDescription": desc,
                "EffectiveDate": effective[:10], "StartingRange": begin or "",
                "EndingRange": end or "", "Unit": unit, "PricePerUnit": price_str(usd),
                "Currency": "USD", "LeaseContractLength": tattrs.get("LeaseContractLength", ""),
                "PurchaseOption": tattrs.get("PurchaseOption", ""),
                "OfferingClass": tattrs.get("OfferingClass", ""), "Product Family": family,
            })
            for k, v in attrs.items():
                row[ATTR_COLUMN[k]] = v
            lines.append(",".join(q(row[c]) for c in CSV_COLUMNS))
    # A byte-order mark and CRLF line ends, as Windows tools and some mirrors write them.
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


write("aws_offer_us-east-1.csv", offer_csv(), newline="")

# --------------------------------------------------------------------------------------------
# Azure Retail Prices API, serviceName eq 'Virtual Machines', two pages
# --------------------------------------------------------------------------------------------

AZ_LOC = {"eastus": "US East", "eastus2": "US East 2", "westeurope": "EU West", "": "Global"}
az_items = []
meter = [0]


def az_item(arm_sku, sku_name, product, price, region="eastus", type_="Consumption",
            effective="2024-06-01T00:00:00Z", primary=True, term=None, savings=None,
            service="Virtual Machines", unit="1 Hour", product_id="DZH318Z0BQ4M"):
    meter[0] += 1
    item = {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
    }
    if term:
        item["reservationTerm"] = term
    item.update({
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": AZ_LOC[region],
        "effectiveStartDate": effective,
        "meterId": "%08x-53a1-4f2b-9c1e-%012x" % (0x7a3b0000 + meter[0], 0xd41c5e000000 + meter[0]),
        "meterName": sku_name,
        "productId": product_id,
        "skuId": "%s/%04X" % (product_id, meter[0]),
        "availabilityId": None,
        "productName": product,
        "skuName": sku_name,
        "serviceName": service,
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": unit,
        "type": type_,
        "isPrimaryMeterRegion": primary,
        "armSkuName": arm_sku,
    })
    if savings is not None:
        item["savingsPlan"] = savings
    az_items.append(item)


ND_H100 = ("Standard_ND96isr_H100_v5", "ND96isr H100 v5", "Virtual Machines NDsr H100 v5 Series")
az_item(ND_H100[0], ND_H100[1] + " Spot", ND_H100[2], 98.32, effective="2023-08-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1] + " Low Priority", ND_H100[2], 19.664,
        effective="2023-08-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1], ND_H100[2] + " Windows", 102.184,
        effective="2023-08-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 70.0, type_="DevTestConsumption",
        effective="2023-08-01T00:00:00Z")
# A duplicate meter of another meter region (isPrimaryMeterRegion false), a lower figure.
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 89.1, primary=False,
        effective="2025-01-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 98.32, effective="2023-08-01T00:00:00Z",
        savings=[{"unitPrice": 56.0424, "retailPrice": 56.0424, "term": "3 Years"},
                 {"unitPrice": 75.7064, "retailPrice": 75.7064, "term": "1 Year"}])
# Reservations: retailPrice is the whole term although unitOfMeasure says "1 Hour".
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 1085364.0, type_="Reservation", term="3 Years",
        effective="2023-08-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 538302.0, type_="Reservation", term="1 Year",
        effective="2023-08-01T00:00:00Z")
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 98.32, region="eastus2")
az_item(ND_H100[0], ND_H100[1], ND_H100[2], 107.0, region="westeurope")

ND_H200 = ("Standard_ND96isr_H200_v5", "ND96isr H200 v5", "Virtual Machines NDsr H200 v5 Series")
az_item(ND_H200[0], ND_H200[1], ND_H200[2], 0.0, effective="2025-10-01T00:00:00Z")  # preview

ND_A100 = ("Standard_ND96amsr_A100_v4", "ND96amsr A100 v4",
           "Virtual Machines NDamsr A100 v4 Series")
az_item(ND_A100[0], ND_A100[1], ND_A100[2], 32.77)
az_item(ND_A100[0], ND_A100[1] + " Spot", ND_A100[2], 3.6047)
az_item(ND_A100[0], ND_A100[1] + " Low Priority", ND_A100[2], 6.554)
az_item(ND_A100[0], ND_A100[1], ND_A100[2] + " Windows", 36.45)
az_item(ND_A100[0], ND_A100[1] + " Spot", ND_A100[2] + " Windows", 4.1)
az_item(ND_A100[0], ND_A100[1], ND_A100[2], 18.0, type_="DevTestConsumption")
az_item(ND_A100[0], ND_A100[1], ND_A100[2], 172000.0, type_="Reservation", term="1 Year")
az_item(ND_A100[0], ND_A100[1], ND_A100[2], 350000.0, type_="Reservation", term="3 Years")

NC_H100 = ("Standard_NC40ads_H100_v5", "NC40ads H100 v5", "Virtual Machines NCadsH100v5 Series")
az_item(NC_H100[0], NC_H100[1], NC_H100[2], 6.98)
az_item(NC_H100[0], NC_H100[1] + " Spot", NC_H100[2], 6.98)
az_item(NC_H100[0], NC_H100[1], "Virtual Machines NCadsH100v5 Srs Win", 8.82)
az_item(NC_H100[0], NC_H100[1] + " Low Priority", NC_H100[2], 1.396)

NC_A100 = ("Standard_NC24ads_A100_v4", "NC24ads A100 v4", "Virtual Machines NCadsA100v4 Series")
az_item(NC_A100[0], NC_A100[1], NC_A100[2], 3.673, effective="2024-11-01T00:00:00Z",
        savings=[{"unitPrice": 2.6, "retailPrice": 2.6, "term": "1 Year"},
                 {"unitPrice": 1.9, "retailPrice": 1.9, "term": "3 Years"}])
az_item(NC_A100[0], NC_A100[1] + " Spot", NC_A100[2], 0.444433, effective="2025-11-05T00:00:00Z")
az_item(NC_A100[0], NC_A100[1], NC_A100[2] + " Windows", 3.857)
az_item(NC_A100[0], NC_A100[1], "Cloud Services NCadsA100v4 Series", 3.9)

# Not a virtual machine: another service in the same page.
az_item("", "Hot LRS Data Stored", "Blob Storage", 0.0208, service="Storage",
        unit="1 GB/Month", product_id="DZH318Z0BPVW")

page1 = az_items[:18]
page2 = az_items[18:]
FILTER = ("https://prices.azure.com:443/api/retail/prices?api-version=2023-01-01-preview&"
          "$filter=serviceName%20eq%20%27Virtual%20Machines%27&$skip=1000")
write("azure_page1.json", json.dumps({
    "BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
    "Items": page1, "NextPageLink": FILTER, "Count": len(page1)}, indent=2) + "\n")
write("azure_page2.json", json.dumps({
    "BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
    "Items": page2, "NextPageLink": None, "Count": len(page2)}, indent=2) + "\n")

# --------------------------------------------------------------------------------------------
# GCP Cloud Billing Catalog, Compute Engine SKUs, two pages
# --------------------------------------------------------------------------------------------

AMERICAS = ["northamerica-northeast1", "southamerica-east1", "us-central1", "us-east1",
            "us-east4", "us-east5", "us-south1", "us-west1", "us-west4"]
gcp_skus = []


def money(usd):
    units = int(usd)
    nanos = int(round((usd - units) * 1e9))
    m = {"currencyCode": "USD"}
    # proto3 JSON: a zero field may be left out, and units is an int64 written as a string.
    if units:
        m["units"] = str(units)
    else:
        m["units"] = "0"
    if nanos:
        m["nanos"] = nanos
    return m


def gcp_sku(description, usd, group, usage="OnDemand", regions=AMERICAS, unit="h",
            family="Compute", tiers=None, effective="2025-10-30T05:22:16.443Z"):
    n = len(gcp_skus) + 1
    sku_id = "%04X-%04X-%04X" % (0x1A2B + n, 0x3C4D + 7 * n, 0x5E6F + 13 * n)
    unit_desc = {"h": "hour", "GiBy.h": "gibibyte hour", "GiBy.mo": "gibibyte month",
                 "GiBy": "gibibyte"}[unit]
    base = {"h": ("s", "second", 3600), "GiBy.h": ("By.s", "byte second", 3865470566400),
            "GiBy.mo": ("By.s", "byte second", 2.8759101014016E15),
            "GiBy": ("By", "byte", 1073741824)}[unit]
    rates = tiers or [(0, usd)]
    sku = {
        "name": "services/6F81-5844-456A/skus/" + sku_id,
        "skuId": sku_id,
        "description": description,
        "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": family,
                     "resourceGroup": group, "usageType": usage},
        "serviceRegions": regions,
        "pricingInfo": [{
            "summary": "",
            "pricingExpression": {
                "usageUnit": unit, "displayQuantity": 1,
                "tieredRates": [{"startUsageAmount": s, "unitPrice": money(p)} for s, p in rates],
                "usageUnitDescription": unit_desc, "baseUnit": base[0],
                "baseUnitDescription": base[1], "baseUnitConversionFactor": base[2]},
            "currencyConversionRate": 1,
            "effectiveTime": effective}],
        "serviceProviderName": "Google",
        "geoTaxonomy": {"type": "MULTI_REGIONAL" if len(regions) > 1 else "REGIONAL",
                        "regions": regions},
    }
    gcp_skus.append(sku)


# A3 High: 208 x 0.02513 + 1872 x 0.002261228 = 9.46006 (REFERENCE's VM part), + 8 x 9.79655125.
gcp_sku("A3 Instance Core running in Americas", 0.02513, "CPU")
gcp_sku("A3 Instance Ram running in Americas", 0.002261228, "RAM", unit="GiBy.h")
gcp_sku("Nvidia H100 80GB GPU running in Americas", 9.79655125, "GPU")
# Discounted variants also listed under usageType OnDemand (REFERENCE section 3 gotcha 3):
gcp_sku("Reserved Nvidia H100 80GB GPU running in Americas", 4.20076, "GPU",
        regions=["us-central1", "us-west1"])
gcp_sku("Nvidia H100 80GB GPU running in Americas for Dynamic Workload Scheduler", 4.20076, "GPU",
        regions=["us-central1", "us-west1"])
gcp_sku("DWS Defined Duration Nvidia H100 80GB GPU running in Americas", 5.1, "GPU")
gcp_sku("Nvidia H100 80GB GPU running in Americas (Calendar mode)", 6.2, "GPU")
gcp_sku("Nvidia H100 80GB Plus GPU running in Americas", 11.06, "GPU")
gcp_sku("Nvidia H100 80GB Mega GPU running in Americas", 10.34427625, "GPU")
gcp_sku("Nvidia H100 80GB Mega GPU running in Americas (Flex-start)", 5.2, "GPU")
gcp_sku("A3 Instance Core running in Americas (Sole Tenancy Premium)", 0.0065, "CPU")
gcp_sku("Spot Preemptible A3 Instance Core running in Americas", 0.007675, "CPU",
        usage="Preemptible")
gcp_sku("Spot Preemptible A3 Instance Ram running in Americas", 0.0006907, "RAM",
        usage="Preemptible", unit="GiBy.h")
gcp_sku("Nvidia H100 80GB GPU attached to Spot Preemptible VMs running in Americas", 2.9926,
        "GPU", usage="Preemptible")
gcp_sku("Nvidia H100 80GB Mega GPU attached to Spot Preemptible VMs running in Americas", 3.1601,
        "GPU", usage="Preemptible")
gcp_sku("Commitment v1: Nvidia H100 80GB GPU in Americas for 1 Year", 6.17183, "GPU",
        usage="Commit1Yr")
# The same SKUs in Europe: another region group.
gcp_sku("A3 Instance Core running in EMEA", 0.02764, "CPU", regions=["europe-west4"])
gcp_sku("A3 Instance Ram running in EMEA", 0.002487, "RAM", regions=["europe-west4"],
        unit="GiBy.h")
gcp_sku("Nvidia H100 80GB GPU running in EMEA", 10.776, "GPU", regions=["europe-west4"])
# Local SSD (auto-attached to A3: 16 x 375 GiB), monthly.
gcp_sku("SSD backed Local Storage running in Americas", 0.08, "LocalSSD", family="Storage",
        unit="GiBy.mo")
gcp_sku("SSD backed Local Storage attached to Spot Preemptible VMs running in Americas", 0.048,
        "LocalSSD", family="Storage", unit="GiBy.mo", usage="Preemptible")
page_split = len(gcp_skus)
# A2 and G2.
gcp_sku("A2 Instance Core running in Americas", 0.031611, "CPU")
gcp_sku("A2 Instance Ram running in Americas", 0.004237, "RAM", unit="GiBy.h")
gcp_sku("Nvidia Tesla A100 GPU running in Americas", 2.933908, "GPU")
gcp_sku("Nvidia Tesla A100 80GB GPU running in Americas", 3.92734, "GPU")
gcp_sku("Commitment v1: A2 Cpu in Americas for 1 Year", 0.019915, "CPU", usage="Commit1Yr")
gcp_sku("Commitment v1: A2 Ram in Americas for 1 Year", 0.002669, "RAM", usage="Commit1Yr",
        unit="GiBy.h")
gcp_sku("Commitment v1: Nvidia Tesla A100 GPU in Americas for 1 Year", 1.848362, "GPU",
        usage="Commit1Yr")
gcp_sku("Commitment v1: A2 Cpu in Americas for 3 Year", 0.011064, "CPU", usage="Commit3Yr")
gcp_sku("Commitment v1: A2 Ram in Americas for 3 Year", 0.001483, "RAM", usage="Commit3Yr",
        unit="GiBy.h")
gcp_sku("Commitment v1: Nvidia Tesla A100 GPU in Americas for 3 Year", 1.026868, "GPU",
        usage="Commit3Yr")
gcp_sku("G2 Instance Core running in Americas", 0.024988, "CPU")
gcp_sku("G2 Instance Ram running in Americas", 0.002928, "RAM", unit="GiBy.h")
gcp_sku("Nvidia L4 GPU running in Americas", 0.56004, "GPU")
gcp_sku("N1 Predefined Instance Core running in Americas", 0.031611, "N1Standard")
# Tiered network egress: a free first tier is not a price of 0 for anything cirrus composes.
gcp_sku("Network Internet Egress from Americas to Americas", 0.0, "PremiumInternetEgress",
        family="Network", unit="GiBy", regions=["us-central1"],
        tiers=[(0, 0.0), (1, 0.12), (1024, 0.11), (10240, 0.08)])

write("gcp_skus_page1.json", json.dumps(
    {"skus": gcp_skus[:page_split], "nextPageToken": "ChxzZXJ2aWNlcy82RjgxLTU4NDQtNDU2QS9za3Vz"},
    indent=2) + "\n")
write("gcp_skus_page2.json", json.dumps(
    {"skus": gcp_skus[page_split:], "nextPageToken": ""}, indent=2) + "\n")
# `gcloud billing skus list --format=json` writes one JSON array of SKUs instead of pages.
write("gcp_skus_gcloud.json", json.dumps(gcp_skus, indent=2) + "\n")

# --------------------------------------------------------------------------------------------
# SkyPilot catalogs: vms.csv of v8 aws, v8 gcp, v6 azure, v8 lambda
# --------------------------------------------------------------------------------------------


def gpu_info(name, count, mib, manufacturer="NVIDIA"):
    if name is None:
        return ""
    return ("{'Gpus': [{'Name': '%s', 'Manufacturer': '%s', 'Count': %s, 'MemoryInfo': "
            "{'SizeInMiB': %d}}], 'TotalGpuMemoryInMiB': %d}" %
            (name, manufacturer, repr(float(count)), mib, int(mib * count)))


def csv_line(fields):
    out = []
    for f in fields:
        s = "" if f is None else str(f)
        if any(c in s for c in ',"\n'):
            s = '"' + s.replace('"', '""') + '"'
        out.append(s)
    return ",".join(out)


aws_rows = [csv_line(["InstanceType", "AcceleratorName", "AcceleratorCount", "vCPUs",
                      "MemoryGiB", "GpuInfo", "Price", "SpotPrice", "Region",
                      "AvailabilityZone", "Arch"])]
h100 = gpu_info("H100", 8, 81920)
for az, spot in (("us-east-1a", 17.63), ("us-east-1b", 25.75), ("us-east-1c", 55.04),
                 ("us-east-1d", 21.2), ("us-east-1f", 55.04)):
    aws_rows.append(csv_line(["p5.48xlarge", "H100", 8.0, 192.0, 2048.0, h100, 55.04, spot,
                              "us-east-1", az, "x86_64"]))
aws_rows.append(csv_line(["p5.48xlarge", "H100", 8.0, 192.0, 2048.0, h100, 55.04, 19.1,
                          "us-west-2", "us-west-2a", "x86_64"]))
a100 = gpu_info("A100", 8, 40960)
for az, spot in (("us-east-1a", 2.47), ("us-east-1b", 8.19), ("us-east-1c", 4.1)):
    aws_rows.append(csv_line(["p4d.24xlarge", "A100", 8.0, 96.0, 1152.0, a100, 21.957642, spot,
                              "us-east-1", az, "x86_64"]))
h200 = gpu_info("H200", 8, 144384)
for az in ("us-east-1a", "us-east-1b"):
    aws_rows.append(csv_line(["p5e.48xlarge", "H200", 8.0, 192.0, 2048.0, h200, "", "",
                              "us-east-1", az, "x86_64"]))
aws_rows.append(csv_line(["p5e.48xlarge", "H200", 8.0, 192.0, 2048.0, h200, "", 18.74,
                          "us-east-2", "us-east-2a", "x86_64"]))
aws_rows.append(csv_line(["p5.4xlarge", "H100", 1.0, 16.0, 256.0, gpu_info("H100", 1, 81920),
                          6.88, "", "us-east-1", "us-east-1a", "x86_64"]))
aws_rows.append(csv_line(["g6f.large", "L4", 0.125, 2.0, 8.0, gpu_info("L4", 0.125, 22888),
                          0.2, 0.09, "us-east-1", "us-east-1a", "x86_64"]))
aws_rows.append(csv_line(["trn1.32xlarge", "Trainium", 16.0, 128.0, 512.0,
                          "{'Gpus': [{'Name': 'Trainium', 'Manufacturer': 'AWS', 'Count': 16.0, "
                          "'MemoryInfo': {'SizeInMiB': 32768}}], 'TotalGpuMemoryInMiB': 524288, "
                          "'NeuronInfo': None, 'Boost': True}",
                          21.5, 6.14, "us-east-1", "us-east-1a", "x86_64"]))
aws_rows.append(csv_line(["m7i.large", "", "", 2.0, 8.0, "", 0.1008, 0.0399, "us-east-1",
                          "us-east-1a", "x86_64"]))
write("skypilot_aws_v8_vms.csv", "\n".join(aws_rows) + "\n")

gcp_rows = [csv_line(["InstanceType", "AcceleratorName", "AcceleratorCount", "vCPUs",
                      "MemoryGiB", "GpuInfo", "Price", "SpotPrice", "Region",
                      "AvailabilityZone"])]
for z, vm_spot in (("us-central1-a", 2.88933), ("us-central1-b", 2.88933),
                   ("us-central1-c", 2.7)):
    gcp_rows.append(csv_line(["a3-highgpu-8g", "H100", 8.0, 208.0, 1872.0, "", 9.46006, vm_spot,
                              "us-central1", z]))
for z, price, spot in (("us-central1-a", 78.37241, 23.9408), ("us-central1-b", 78.37241, 23.9408),
                       ("us-central1-c", 33.60608, 20.0)):  # zone c: a discounted SKU's row
    gcp_rows.append(csv_line(["", "H100", 8.0, "", "", "", price, spot, "us-central1", z]))
    gcp_rows.append(csv_line(["", "H100", 1.0, "", "", "", round(price / 8, 6),
                              round(spot / 8, 5), "us-central1", z]))
gcp_rows.append(csv_line(["a2-highgpu-1g", "A100", 1.0, 12.0, 85.0, "", 0.73948, 0.36975,
                          "us-central1", "us-central1-a"]))
gcp_rows.append(csv_line(["", "A100", 1.0, "", "", "", 2.93391, 1.4341, "us-central1",
                          "us-central1-a"]))
gcp_rows.append(csv_line(["n1-standard-8", "", "", 8.0, 30.0, "", 0.379998, 0.08, "us-central1",
                          "us-central1-a"]))
gcp_rows.append(csv_line(["a3-highgpu-8g", "H100", 8.0, 208.0, 1872.0, "", 10.41, 3.18,
                          "europe-west4", "europe-west4-b"]))
write("skypilot_gcp_v8_vms.csv", "\n".join(gcp_rows) + "\n")

azure_rows = [csv_line(["InstanceType", "AcceleratorName", "AcceleratorCount", "vCPUs",
                        "MemoryGiB", "GpuInfo", "Region", "Price", "SpotPrice", "Generation",
                        "AvailabilityZone"])]
azure_rows.append(csv_line(["Standard_ND96isr_H100_v5", "H100", 12, 96, 1900, "H100", "eastus",
                            98.32, 98.32, "V2", ""]))
azure_rows.append(csv_line(["Standard_ND96amsr_A100_v4", "A100-80GB", 8, 96, 1800, "A100-80GB",
                            "eastus", 32.77, 3.6047, "V2", ""]))
azure_rows.append(csv_line(["Standard_NC40ads_H100_v5", "H100", 1, 40, 320, "H100", "eastus",
                            6.98, 6.98, "V2", ""]))
azure_rows.append(csv_line(["Standard_NV6ads_A10_v5", "A10", 0.16666666666666666, 6, 55, "A10",
                            "eastus", 0.454, 0.0454, "V2", ""]))
azure_rows.append(csv_line(["Standard_ND96isr_H100_v5", "H100", 12, 96, 1900, "H100",
                            "westeurope", 107.0, 107.0, "V2", ""]))
write("skypilot_azure_v6_vms.csv", "\n".join(azure_rows) + "\n")

lambda_rows = [csv_line(["InstanceType", "AcceleratorName", "AcceleratorCount", "vCPUs",
                         "MemoryGiB", "Price", "Region", "GpuInfo", "SpotPrice", "Arch"])]
for region in ("asia-northeast-1", "europe-central-1", "us-east-1", "us-west-1"):
    lambda_rows.append(csv_line(["gpu_8x_h100_sxm5", "H100", 8.0, 208.0, 1800.0, 31.92, region,
                                 gpu_info("H100", 8, 81920), "", "x86_64"]))
    lambda_rows.append(csv_line(["gpu_1x_gh200", "GH200", 1.0, 64.0, 432.0, 2.29, region,
                                 gpu_info("GH200", 1, 98304), "", "arm64"]))
write("skypilot_lambda_v8_vms.csv", "\n".join(lambda_rows) + "\n")
